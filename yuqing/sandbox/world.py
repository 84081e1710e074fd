"""The sandbox world: every post of the corpus and scenarios placed on a timeline from an epoch.

``build_world(epoch)`` is deterministic: the same epoch and seed give the same posts, times, URLs
and engagement curves. What a site shows at a simulated instant is ``World.published(now)``.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yuqing.sandbox.clock import CST, parse_offset
from yuqing.sandbox.corpus import load_corpus
from yuqing.sandbox.sites import SITES

DEFAULT_EPOCH = datetime(2024, 3, 12, 8, 0, tzinfo=CST)  # a Tuesday, three days before 3·15
BACKGROUND_SPAN = timedelta(days=7)  # background items spread over epoch ± this
DEFAULT_SEED = 20240312

UNANSWERED, IN_PROGRESS, ANSWERED = "未回复", "办理中", "已办理"
SCENARIO_NAMES = ("food_poisoning", "gym_prepaid", "elevator", "background")


@dataclass
class BoardInfo:
    """A message-board post's fields; status and reply depend on the simulated time."""

    post_id: str
    addressee: str
    type: str
    domain: str
    area: str
    poster: str
    accepted_at: datetime | None = None
    replied_at: datetime | None = None
    reply: str | None = None
    reply_unit: str | None = None
    satisfaction: str = "未评价"

    def status(self, now: datetime) -> str:
        if self.replied_at is not None and now >= self.replied_at:
            return ANSWERED
        if self.accepted_at is not None and now >= self.accepted_at:
            return IN_PROGRESS
        return UNANSWERED

    def view(self, now: datetime) -> dict:
        """The board object as the post index names it, as it stands at ``now``."""
        answered = self.status(now) == ANSWERED
        return {
            "post_id": self.post_id, "addressee": self.addressee, "type": self.type,
            "domain": self.domain, "area": self.area, "status": self.status(now),
            "reply": self.reply if answered else None,
            "reply_unit": self.reply_unit if answered else None,
            "reply_at": self.replied_at.isoformat() if answered and self.replied_at else None,
            "satisfaction": self.satisfaction if answered else None,
        }


@dataclass
class Post:
    id: str
    site: str
    title: str
    content: str
    author: str
    published_at: datetime
    category: str
    region: str
    scenario: str
    repost_of: str | None = None
    board: BoardInfo | None = None
    followers: int = 0
    verified: bool = False
    engagement_final: dict = field(default_factory=dict)
    engagement_tau_hours: float = 3.0
    encoding: str = "utf-8"
    path: str = ""
    number: int = 0

    @property
    def source(self) -> str:
        return SITES[self.site].source

    @property
    def source_kind(self) -> str:
        return SITES[self.site].source_kind

    @property
    def media_level(self) -> str:
        return SITES[self.site].media_level

    def growth(self, now: datetime) -> float:
        age_h = (now - self.published_at).total_seconds() / 3600
        return 0.0 if age_h < 0 else 1 - math.exp(-age_h / self.engagement_tau_hours)


@dataclass
class Scenario:
    name: str
    label: str
    category: str
    region: str
    start: datetime


@dataclass
class World:
    epoch: datetime
    posts: list[Post]
    scenarios: dict[str, Scenario]
    _times: list[datetime] = field(default_factory=list, repr=False)
    _by_path: dict[str, Post] = field(default_factory=dict, repr=False)
    _by_id: dict[str, Post] = field(default_factory=dict, repr=False)
    _reposts: dict[str, list[datetime]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.posts.sort(key=lambda p: (p.published_at, p.id))
        self._times = [p.published_at for p in self.posts]
        self._by_path = {p.path: p for p in self.posts}
        self._by_id = {p.id: p for p in self.posts}
        for post in self.posts:
            if post.repost_of and post.site == "social":
                self._reposts.setdefault(post.repost_of, []).append(post.published_at)

    def published(self, now: datetime, site: str | None = None) -> list[Post]:
        """Posts whose time has come, newest first."""
        visible = self.posts[: bisect_right(self._times, now)]
        if site is not None:
            visible = [p for p in visible if p.site == site]
        return visible[::-1]

    def upcoming(self, now: datetime, site: str | None = None) -> list[Post]:
        """Posts not yet published (what preview pages leak), soonest first."""
        later = self.posts[bisect_right(self._times, now):]
        return [p for p in later if site is None or p.site == site]

    def by_path(self, path: str) -> Post | None:
        return self._by_path.get(path)

    def by_id(self, post_id: str) -> Post | None:
        return self._by_id.get(post_id)

    def engagement(self, post: Post, now: datetime) -> dict:
        """likes/comments/shares/views at ``now``; shares include the visible reposts."""
        g = post.growth(now)
        values = {key: int(round(value * g)) for key, value in post.engagement_final.items()}
        visible_reposts = sum(1 for t in self._reposts.get(post.id, ()) if t <= now)
        values["shares"] = values.get("shares", 0) + visible_reposts
        for key in ("likes", "comments", "shares", "views"):
            values.setdefault(key, 0)
        return values


# --------------------------------------------------------------------------- building

def _region(district: str) -> str:
    return district if district == "天津市" else f"天津市{district}"


def _pick(rng: random.Random, value):
    return rng.choice(value) if isinstance(value, list) else value


def _pick_offset(rng: random.Random, value) -> timedelta | None:
    if value is None:
        return None
    if isinstance(value, list):
        low, high = parse_offset(value[0]), parse_offset(value[-1])
        return low + (high - low) * rng.random()
    return parse_offset(value)


def _shape_times(rng: random.Random, count: int, start: datetime, end: datetime, shape: str) -> list[datetime]:
    span = end - start
    times = []
    for _ in range(count):
        u = rng.random()
        if shape == "rising":
            u = math.sqrt(u)
        elif shape == "falling":
            u = 1 - math.sqrt(1 - u)
        times.append((start + span * u).replace(second=0, microsecond=0))
    return sorted(times)


USER_SUFFIXES = ("宝妈", "老爸", "小鱼", "阿杰", "大熊", "晴天", "奶茶", "小王", "李姐", "打工人", "居民",
                 "老张", "小陈", "爱跑步", "的猫", "大白", "妞妞妈", "豆豆爸")


def _user_name(rng: random.Random, prefixes: list[str]) -> str:
    name = rng.choice(prefixes) + rng.choice(USER_SUFFIXES)
    return name + (str(rng.randint(1, 999)) if rng.random() < 0.5 else "")


def _social_engagement(rng: random.Random, followers: int, boost: float = 1.0) -> dict:
    base = math.sqrt(max(followers, 100)) * boost
    likes = int(base * rng.uniform(0.5, 2.0))
    return {"likes": likes, "comments": int(likes * rng.uniform(0.1, 0.4)),
            "shares": int(likes * rng.uniform(0.05, 0.3)), "views": int(likes * rng.uniform(40, 90))}


def _news_engagement(rng: random.Random, boost: float = 1.0) -> dict:
    views = int(rng.uniform(800, 6000) * boost)
    return {"likes": int(views * 0.01), "comments": int(views * rng.uniform(0.002, 0.01)),
            "shares": int(views * rng.uniform(0.002, 0.02)), "views": views}


def _board_engagement(rng: random.Random, boost: float = 1.0) -> dict:
    return {"likes": 0, "comments": 0, "shares": 0, "views": int(rng.uniform(60, 900) * boost)}


EDITORS = ("张帆", "李静", "王博", "刘畅", "陈思", "杨柳")


def edited_copy(original: Post, outlet: str, at: datetime, rng: random.Random, *,
                title: str | None = None, suffix: str = "") -> Post:
    """A lightly edited repost of a news item on another outlet, as reposts really look."""
    source = SITES[original.site].outlet
    paragraphs = [p for p in original.content.split("\n") if p.strip()]
    lead = rng.choice(["据{src}报道，", "{src}消息，", "", "记者从{src}获悉，"]).format(src=source)
    first = paragraphs[0]
    if first.startswith("记者"):
        first = source + first  # 记者从…获悉 -> 津门晚报记者从…获悉
    elif lead and not first.startswith("据"):
        first = lead + first
    paragraphs[0] = first
    if len(paragraphs) > 2 and rng.random() < 0.4:
        paragraphs = paragraphs[:-1]
    paragraphs = [p.replace("本报", source).replace("今天", "当天") for p in paragraphs]
    paragraphs.append(f"（来源：{source}）")
    new_title = title or original.title
    if title is None:
        new_title = rng.choice(["", "", "关注｜", "热点｜"]) + new_title
    return Post(
        id=f"{original.id}-{outlet}{suffix}", site=outlet, title=new_title, content="\n".join(paragraphs),
        author=f"编辑：{rng.choice(EDITORS)}", published_at=at, category=original.category,
        region=original.region, scenario=original.scenario, repost_of=original.id,
        engagement_final=_news_engagement(rng, 1.5 if original.scenario != "background" else 0.6),
    )


def social_repost(original: Post, at: datetime, user: str, comment: str, rng: random.Random,
                  index: int) -> Post:
    text = f"{comment or '转发微博'}//@{original.author}：{original.content}"
    followers = int(rng.lognormvariate(6.5, 1.3))
    return Post(
        id=f"{original.id}-rt{index:03d}", site="social", title="", content=text, author=user,
        published_at=at, category=original.category, region=original.region,
        scenario=original.scenario, repost_of=original.id, followers=followers,
        engagement_final=_social_engagement(rng, followers, 0.3),
    )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _board_from_spec(spec: dict, area: str, poster: str, posted: datetime, rng: random.Random) -> BoardInfo:
    accept = _pick_offset(rng, spec.get("accept_after"))
    reply_after = _pick_offset(rng, spec.get("reply_after"))
    replied = _minute(posted + reply_after) if reply_after is not None and spec.get("reply") else None
    accepted = _minute(posted + accept) if accept is not None else None
    if replied is not None and (accepted is None or accepted > replied):
        accepted = replied
    return BoardInfo(
        post_id="", addressee=_pick(rng, spec["addressee"]), type=_pick(rng, spec["type"]),
        domain=spec["domain"], area=area, poster=poster, accepted_at=accepted, replied_at=replied,
        reply=spec.get("reply") if replied else None, reply_unit=spec.get("reply_unit") if replied else None,
        satisfaction=_pick(rng, spec.get("satisfaction") or "未评价") if replied else "未评价",
    )


def _daytime(moment: datetime) -> datetime:
    """Move night-time background items into 07:00–22:59, as newsrooms and citizens post by day."""
    if moment.hour < 7:
        return moment.replace(hour=7 + moment.hour * 2)
    return moment


def _background(corpus: dict, epoch: datetime, rng: random.Random) -> list[Post]:
    users = {u["name"]: u for u in corpus["background_social"]["users"]}
    entries = ([("news", item) for item in corpus["background_news"]["items"]]
               + [("board", item) for item in corpus["background_board"]["items"]]
               + [("social", item) for item in corpus["background_social"]["items"]])
    rng.shuffle(entries)
    posts: list[Post] = []
    step = 2 * BACKGROUND_SPAN / len(entries)
    for index, (kind, item) in enumerate(entries):
        at = epoch - BACKGROUND_SPAN + step * (index + 0.5) + timedelta(minutes=rng.uniform(-90, 90))
        at = _daytime(at).replace(second=0, microsecond=0)
        region = _region(item["district"])
        if kind == "news":
            post = Post(id=item["id"], site=item["outlet"], title=item["title"], content=item["body"].strip(),
                        author=item["author"], published_at=at, category=item["category"], region=region,
                        scenario="background", engagement_final=_news_engagement(rng))
            posts.append(post)
            for n, outlet in enumerate(item["reposts"]):
                later = at + timedelta(hours=rng.uniform(2, 10) + 6 * n)
                posts.append(edited_copy(post, outlet, _daytime(later).replace(second=0, microsecond=0), rng))
        elif kind == "board":
            board = _board_from_spec(item, region, item["poster"], at, rng)
            posts.append(Post(id=item["id"], site=f"board_{item['board']}", title=item["title"],
                              content=item["content"].strip(), author=item["poster"], published_at=at,
                              category=item["category"], region=region, scenario="background", board=board,
                              engagement_final=_board_engagement(rng)))
        else:
            user = users.get(item["user"], {"followers": 500, "verified": False})
            posts.append(Post(id=item["id"], site="social", title="", content=item["text"].strip(),
                              author=item["user"], published_at=at, category=item["category"], region=region,
                              scenario="background", followers=user["followers"], verified=user["verified"],
                              engagement_final=_social_engagement(rng, user["followers"])))
    return posts


BIG_ACCOUNTS = {"天津身边事": 1260000, "河西宝妈圈": 23000, "南开老王说事": 5400, "天津消费观察": 152000}


def _scenario(name: str, spec: dict, epoch: datetime, rng: random.Random) -> tuple[Scenario, list[Post]]:
    start = epoch + parse_offset(spec["start"])
    region = _region(spec["district"])
    scenario = Scenario(name, spec["label"], spec["category"], region, start)
    posts: list[Post] = []
    by_id: dict[str, Post] = {}
    for item in spec["items"]:
        at = start + parse_offset(item["at"])
        site = item["site"]
        common = dict(published_at=at, category=spec["category"], region=region, scenario=name)
        if site == "social":
            followers = BIG_ACCOUNTS.get(item["user"], int(rng.lognormvariate(6.5, 1.0)))
            post = Post(id=item["id"], site="social", title="", content=item["text"].strip(), author=item["user"],
                        followers=followers, verified=followers > 20000,
                        engagement_final=_social_engagement(rng, followers, 3.0), **common)
        elif site.startswith("board"):
            board = item["board"]
            poster = item.get("user") or board.get("poster") or "网友"
            post = Post(id=item["id"], site=site, title=board["title"], content=board["content"].strip(),
                        author=poster, board=_board_from_spec(board, region, poster, at, rng),
                        engagement_final=_board_engagement(rng, 4.0), **common)
        else:
            post = Post(id=item["id"], site=site, title=item["title"], content=item["body"].strip(),
                        author=item.get("author") or "", engagement_final=_news_engagement(rng, 4.0), **common)
        posts.append(post)
        by_id[post.id] = post
        for repost in item["reposts"]:
            when = at + parse_offset(repost["after"])
            posts.append(edited_copy(post, repost["outlet"], when, rng, title=repost.get("title")))
    for wave_no, wave in enumerate(spec["waves"], start=1):
        times = _shape_times(rng, wave["count"], start + parse_offset(wave["from"]),
                             start + parse_offset(wave["to"]), wave["shape"])
        if wave["kind"] == "repost":
            original = by_id[wave["of"]]
            for index, at in enumerate(times):
                user = _user_name(rng, ["津门", "河西", "海河", "南开", "天塔", "梅江", "小白楼"])
                comment = rng.choice(wave["comments"] or [""])
                posts.append(social_repost(original, at, user, comment, rng,
                                           index + 100 * wave_no))
            continue
        for index, at in enumerate(times):
            slots = {key: rng.choice(values) for key, values in wave["slots"].items()}
            text = "".join(rng.choice(part) for part in wave["parts"]).format_map(slots)
            post_id = f"{name}-w{wave_no}-{index:03d}"
            common = dict(published_at=at, category=spec["category"], region=region, scenario=name)
            if wave["site"] == "social":
                user = _user_name(rng, wave["users"] or ["津门"])
                followers = int(rng.lognormvariate(6.0, 1.2))
                posts.append(Post(id=post_id, site="social", title="", content=text, author=user,
                                  followers=followers,
                                  engagement_final=_social_engagement(rng, followers, 1.5), **common))
            else:
                poster = rng.choice(wave["users"] or ["网友"])
                if poster == "网友":
                    poster = f"网友{rng.randrange(16 ** 4):04x}"
                site = "board_html" if index % 2 == 0 else "board_api"
                posts.append(Post(id=post_id, site=site, title=rng.choice(wave["titles"]), content=text,
                                  author=poster, board=_board_from_spec(wave["board"], region, poster, at, rng),
                                  engagement_final=_board_engagement(rng, 2.0), **common))
    return scenario, posts


def _encoding(number: int) -> str:
    """Portal pages are GBK: half declare gb2312, a quarter declare nothing, a quarter wrongly utf-8."""
    return ("gbk", "gbk", "gbk-undeclared", "gbk-mislabelled")[number % 4]


def _assign_paths(posts: list[Post]) -> None:
    counters: dict[str, int] = {}
    for post in sorted(posts, key=lambda p: (p.published_at, p.id)):
        n = counters[post.site] = counters.get(post.site, 0) + 1
        post.number = n
        d = post.published_at
        if post.site == "news":
            post.path = f"/news/system/{d:%Y/%m/%d}/{n:06d}.shtml"
        elif post.site == "central":
            post.path = f"/central/n1/{d:%Y/%m%d}/c{1000 + n * 3}.html"
        elif post.site == "industry":
            post.path = f"/industry/n1/{d:%Y/%m%d}/c{2000 + n * 3}.html"
        elif post.site == "portal":
            post.path = f"/portal/news/{7300 + n}.html"
            post.encoding = _encoding(n)
        elif post.site == "board_html":
            post.board.post_id = f"{d:%Y%m%d}{n:04d}"
            post.path = f"/board/thread/{post.board.post_id}.html"
        elif post.site == "board_api":
            post.board.post_id = str(19300000 + n * 7)
            post.path = f"/lyb/threads/content?tid={post.board.post_id}"
        elif post.site == "social":
            mid = 5008000000000000 + n * 1237
            post.path = f"/social/api/status?id={mid}"
            post.number = mid


def build_world(epoch: datetime = DEFAULT_EPOCH, seed: int = DEFAULT_SEED) -> World:
    """All posts on their timeline; deterministic for a given epoch and seed."""
    corpus = load_corpus()
    rng = random.Random(seed)
    posts = _background(corpus, epoch, rng)
    scenarios = {}
    for name, spec in corpus["scenarios"].items():
        scenario, items = _scenario(name, spec, epoch, random.Random(f"{seed}:{name}"))
        scenarios[name] = scenario
        posts.extend(items)
    _assign_paths(posts)
    scenarios["background"] = Scenario("background", "日常舆情（不应告警）", "", "天津市",
                                       epoch - BACKGROUND_SPAN)
    return World(epoch=epoch, posts=posts, scenarios=scenarios)
