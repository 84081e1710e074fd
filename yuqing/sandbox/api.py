"""JSON interfaces of the sandbox: a board API modelled on 人民网《领导留言板》 and a social feed.

Board API (field names follow the real interface, not the posts index):
  POST /lyb/v1/threads/list/df  body {"appCode", "param": {...} or its JSON text, "signature", "token"}
       param: fid (留言对象), typeId (1 建言 2 投诉 3 咨询 4 求助, 0/absent = all),
              showUnAnswer (0 = answered only), lastItem (tid cursor, '' = newest), rows (≤ 50)
       → {"result": "success", "responseCode": "0", "resultData": {"data": [thread...]}}
       (GET with the same names as query parameters also works.)
  POST /lyb/v1/threads/content  param {"tid": "..."}; GET /lyb/threads/content?tid=…
  GET  /lyb/v1/forums           the 留言对象 with their fid
Social feed:
  GET /social/api/timeline?page=1&count=20    GET /social/api/status?id=…
The signature is accepted and not checked.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from yuqing.sandbox import dates
from yuqing.sandbox.world import ANSWERED, Post, World

TYPE_IDS = {"建言": 1, "投诉": 2, "咨询": 3, "求助": 4}
MAX_ROWS = 50


class ApiError(ValueError):
    """A request the API rejects; the message is shown to the client."""


def _epoch(d: datetime | None) -> int | None:
    return int(d.timestamp()) if d else None


def forums(world: World) -> dict[str, int]:
    names = sorted({p.board.addressee for p in world.posts if p.site == "board_api"})
    return {name: 500 + index for index, name in enumerate(names)}


def thread(post: Post, now: datetime, fids: dict[str, int], *, full: bool = False) -> dict:
    board = post.board
    status = board.status(now)
    data = {
        "tid": int(board.post_id),
        "subject": post.title,
        "content": post.content if full else post.content[:60],
        "nickName": board.poster,
        "dateline": _epoch(post.published_at),
        "threadsCheckTime": _epoch(post.published_at) + 600,
        "stateInfo": status,
        "typeId": TYPE_IDS[board.type],
        "typeName": board.type,
        "domainName": board.domain,
        "areaName": board.area,
        "fid": fids.get(board.addressee, 0),
        "forumName": board.addressee,
        "lastAnswerTime": _epoch(board.replied_at) if status == ANSWERED else None,
    }
    return data


def board_list(world: World, now: datetime, param: dict) -> dict:
    fids = forums(world)
    try:
        rows = min(int(param.get("rows") or 10), MAX_ROWS)
        type_id = int(param.get("typeId") or 0)
        fid = int(param.get("fid") or 0)
        show_unanswered = int(param.get("showUnAnswer", 1) or 0)
        last = int(param.get("lastItem") or 0)
    except (TypeError, ValueError) as exc:
        raise ApiError(f"参数格式错误：{exc}") from None
    if rows <= 0:
        raise ApiError("参数格式错误：rows 应为正整数")
    selected = []
    for post in world.published(now, "board_api"):
        board = post.board
        if last and int(board.post_id) >= last:
            continue
        if type_id and TYPE_IDS[board.type] != type_id:
            continue
        if fid and fids.get(board.addressee) != fid:
            continue
        if not show_unanswered and board.status(now) != ANSWERED:
            continue
        selected.append(thread(post, now, fids))
        if len(selected) == rows:
            break
    return success({"data": selected})


def board_content(world: World, now: datetime, tid) -> dict:
    post = world.by_path(f"/lyb/threads/content?tid={tid}")
    if post is None or post.published_at > now:
        raise ApiError(f"留言不存在：tid={tid}")
    board = post.board
    replies = []
    if board.status(now) == ANSWERED:
        replies.append({"answerContent": board.reply, "organization": board.reply_unit,
                        "dateline": _epoch(board.replied_at)})
    data = {"thread": thread(post, now, forums(world), full=True), "replyList": replies,
            "evaluate": {"satisfactionName": board.satisfaction} if replies else None}
    return success(data)


def success(data) -> dict:
    return {"result": "success", "responseCode": "0", "resultMsg": "成功", "resultData": data}


def failure(message: str) -> dict:
    return {"result": "fail", "responseCode": "400", "resultMsg": message, "resultData": None}


def parse_param(body: bytes, query: dict[str, str]) -> dict:
    """The request's param object, from a JSON body {"param": …} or from query parameters."""
    if not body.strip():
        return dict(query)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(f"请求体不是合法的 JSON：{exc}") from None
    if not isinstance(payload, dict):
        raise ApiError("请求体应为 JSON 对象")
    param = payload.get("param", payload)
    if isinstance(param, str):
        try:
            param = json.loads(param)
        except json.JSONDecodeError as exc:
            raise ApiError(f"param 不是合法的 JSON：{exc}") from None
    if not isinstance(param, dict):
        raise ApiError("param 应为 JSON 对象")
    return param


SOURCES = ("微言 iPhone客户端", "微言 Android", "微言网页版", "HUAWEI Mate 60")


def status(world: World, post: Post, now: datetime) -> dict:
    counts = world.engagement(post, now)
    data = {
        "id": str(post.number),
        "mid": str(post.number),
        "created_at": dates.relative(post.published_at, now),
        "text": post.content,
        "source": SOURCES[post.number % len(SOURCES)],
        "user": {"id": _uid(post.author),
                 "screen_name": post.author, "verified": post.verified,
                 "followers_count": post.followers},
        "reposts_count": counts["shares"],
        "comments_count": counts["comments"],
        "attitudes_count": counts["likes"],
        "reads_count": counts["views"],
        "region_name": "发布于 天津",
    }
    if post.repost_of:
        original = world.by_id(post.repost_of)
        if original is not None:
            data["retweeted_status"] = {"id": str(original.number), "user": {"screen_name": original.author}}
    return data


def _uid(name: str) -> int:
    return 1_000_000_000 + zlib.crc32(name.encode("utf-8")) % 1_000_000_000


def timeline(world: World, now: datetime, page: int, count: int) -> dict:
    if page < 1 or count < 1:
        raise ApiError("page 和 count 应为正整数")
    count = min(count, MAX_ROWS)
    posts = world.published(now, "social")
    chunk = posts[(page - 1) * count: page * count]
    total_pages = max(1, -(-len(posts) // count))
    return {"ok": 1, "data": {"statuses": [status(world, p, now) for p in chunk], "page": page,
                              "total_number": len(posts), "next_page": page + 1 if page < total_pages else None}}
