"""Real headless Chromium on 检索: Chinese dropdown texts, multi-word highlighting, 加载更多, reversed dates."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboards.test_browser import browser_login, open_page, wait_text


def test_dropdown_search_box_and_texts_are_chinese(browser, live_url):
    browser_login(browser, live_url, "admin1")
    for path, page_id, dropdown_id in [("/explore?since=all", "explore-page", "explore-sources"),
                                       ("/settings", "settings-page", "settings-role")]:
        open_page(browser, live_url, path, page_id)
        WebDriverWait(browser, 20).until(lambda b: b.find_element(By.ID, dropdown_id).is_displayed())
        browser.find_element(By.ID, dropdown_id).click()
        boxes = WebDriverWait(browser, 10).until(
            lambda b: [i for i in b.find_elements(By.CSS_SELECTOR, "input[placeholder]") if i.is_displayed()
                       and i.get_attribute("id") not in ("explore-text",)])
        placeholders = {i.get_attribute("placeholder") for i in boxes}
        assert "搜索…" in placeholders and "Search" not in placeholders, (path, placeholders)
        assert not re.search(r"Search|Select All|selected|No options", browser.find_element(By.TAG_NAME, "body").text)
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def test_each_word_of_a_multi_word_search_is_marked(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/explore?since=all", "explore-page")
    browser.find_element(By.ID, "explore-text").send_keys("电梯 故障", Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#explore-results mark"))
    marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#explore-results mark")}
    assert any("电梯" in m for m in marks) and any("故障" in m for m in marks), marks


def test_load_more_reaches_every_result(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/explore?since=all", "explore-page")
    wait_text(browser, "explore-summary", "已显示 50 条")
    total = int(re.search(r"共 (\d+) 条", browser.find_element(By.ID, "explore-summary").text).group(1))
    assert total > 100
    more = browser.find_element(By.ID, "explore-more")
    for _ in range(total // 50 + 1):
        if not more.is_displayed():
            break
        count = len(browser.find_elements(By.CSS_SELECTOR, "#explore-results .hit"))
        more.click()
        WebDriverWait(browser, 20).until(
            lambda b: len(b.find_elements(By.CSS_SELECTOR, "#explore-results .hit")) > count)
    WebDriverWait(browser, 20).until(lambda b: not more.is_displayed())
    assert len(browser.find_elements(By.CSS_SELECTOR, "#explore-results .hit")) == total
    assert browser.find_element(By.ID, "explore-summary").text.startswith(f"共 {total} 条")
    assert "已显示" not in browser.find_element(By.ID, "explore-summary").text


def test_a_reversed_date_range_says_so(browser, live_url):
    browser_login(browser, live_url, "analyst1")
    open_page(browser, live_url, "/explore?since=2024-03-12&until=2024-03-01", "explore-page")
    wait_text(browser, "explore-summary", "结束日期早于开始日期")
    assert "共 0 条" not in browser.find_element(By.ID, "explore-summary").text
