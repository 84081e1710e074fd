"""Region of a post from the place names in its text and its source's own region.

The gazetteer (``data/regions.txt``, written by this project) has every province and prefecture-level
city of China, every county-level division, with short forms for 天津市 and its neighbours (北京市;
河北省 石家庄、唐山、廊坊、沧州) and, where safe, for the counties elsewhere (see below and the file's
header). Municipalities have no city level of their own: their ``city`` is the municipality itself,
and paths skip the repeat (``天津市/东丽区``).

How names are found:

* Full names (``东丽区``, ``河北省``) and short forms (``东丽``, ``河北``) are matched leftmost-longest,
  so ``大兴安岭`` is not read as ``大兴`` and ``河北区`` is not read as ``河北``.
* A short form is the name without its suffix (省/市/区/县/地区/盟/自治区…), or given in the file.
  Short forms that are common words (和平、河东、新华、中山、阿里、日照…) are switched off in the file.
* When a short form belongs to several places, the higher level wins: ``河北`` is the province,
  never 河北区 (which needs its full name); ``吉林`` is the province, ``吉林市`` the city.
* County short forms elsewhere: three characters or more (石河子) and the districts of 上海/重庆 (浦东,
  沙坪坝) stand alone; two-character ones are marked ``~`` and count only when the text also names
  their province or a place in it (广东陆丰; not 交行首席经济学家连平), and give way to a name that
  begins inside them and reaches further (来安徽 is 安徽). Left out: short forms shared with any other
  place (天津's 和平, 滨海 stay full-name only), common words by jieba's frequencies (资源, 公安), forms
  hidden in common words (大悟 in 恍然大悟), and 78 read by hand (江南, 泰山, 龙湖, 吉利 …).
  Measured against the gazetteer without them (titles alone; scratch scripts, not shipped): THUCNews
  20,000 titles district/city/province/none 421/521/1398/17660 → 447/518/1389/17646 (27 changed,
  all read, all right); sandbox corpus unchanged (168/0/5/119); weibo2018 + smp2020 posts (24,601)
  215/4521/1607/18258 → 341/4450/1578/18232. Fresh sample of 50 changed posts: 48 read the right
  place (巢湖 the lake, 龙湖 the developer were not; 龙湖 is now left out), 42 also the right region
  (the rest name several places and the first of them wins).
* ``XX区`` directly followed by ``域`` is the word 区域 (``河北区域`` → 河北省), and a few phrases
  that contain a place name but are not about the place (``北京时间``) are skipped.
* A full name shared by several places (``新华区`` in 石家庄 and 沧州) is resolved by the other
  places the text names and by the source's region; if nothing decides, only what all candidates
  share (here 河北省) is kept.

How the region is chosen: every mention adds weight to its province, city and district (2 in the
title, 1 in the content), the source's region adds ``source_weight`` (0.5) along its path. The
province with the highest score is chosen, then the best city inside it, then the best district inside
that. Ties go to the source's region, then to the place mentioned first. Text evidence therefore beats
the source's region, which fills in what the text leaves open. A text naming four or more provinces
with none holding 40 % of the weight is a national round-up: the text gives no region.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from analysis.hanzi import fold

LOGGER = logging.getLogger(__name__)

DATA_FILE = "regions.txt"
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
LEVELS = ("province", "city", "district")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "新区", "矿区", "省", "市", "区", "县", "盟")
SKIP_PHRASES = ("北京时间", "北京烤鸭", "天津包子", "哈密瓜", "和田玉", "大理石", "新华社", "新华网", "黄浦江")
TITLE_WEIGHT = 2.0
CONTENT_WEIGHT = 1.0
SOURCE_WEIGHT = 0.5
DIFFUSE_PROVINCES = 4
DIFFUSE_SHARE = 0.4


@dataclass(frozen=True)
class Place:
    """One administrative unit of the gazetteer."""

    name: str
    level: str  # province | city | district
    province: str
    city: str | None = None
    district: str | None = None
    shorts: tuple[str, ...] = ()
    confirm: bool = False  # its short forms count only when the text also names its province (or a place in it)

    @property
    def path(self) -> str:
        parts = [self.province]
        if self.city and self.city != self.province:
            parts.append(self.city)
        if self.district:
            parts.append(self.district)
        return "/".join(parts)

    def key(self, level: str) -> tuple[str, ...] | None:
        """Identity of this place's ancestor (or itself) at ``level``; None above its own level."""
        if _RANK[level] > _RANK[self.level]:
            return None
        if level == "province":
            return (self.province,)
        if level == "city":
            return (self.province, self.city or "")
        return (self.province, self.city or "", self.district or "")


@dataclass(frozen=True)
class Region:
    """The region of a post; absent levels are None. ``ambiguous`` lists names left undecided."""

    province: str | None = None
    city: str | None = None
    district: str | None = None
    ambiguous: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        parts = [p for p in (self.province, self.city, self.district) if p]
        if len(parts) >= 2 and parts[0] == parts[1]:
            parts.pop(1)
        return "/".join(parts)

    def to_dict(self) -> dict:
        return {"province": self.province, "city": self.city, "district": self.district, "path": self.path}


@dataclass(frozen=True)
class Mention:
    """A place name found in text: where it is and the places it may mean."""

    surface: str
    start: int
    candidates: tuple[Place, ...]
    weight: float = 1.0

    @property
    def needs_confirmation(self) -> bool:
        """A short form (``陆丰``) of a place marked ``~``: it counts only beside its province or city."""
        return len(self.candidates) == 1 and self.candidates[0].confirm and self.surface != self.candidates[0].name


def _short_forms(name: str, explicit: list[str] | None, blocked: bool) -> tuple[str, ...]:
    if blocked:
        return ()
    if explicit is not None:
        return tuple(explicit)
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return (name[: -len(suffix)],)
    return ()


class GazetteerError(ValueError):
    """The gazetteer file is malformed (a programming error in shipped data or a user's own file)."""


class Gazetteer:
    """Place names and the rules to read them from text."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = list(places)
        self._surfaces: dict[str, tuple[Place, ...]] = {}
        by_full: dict[str, list[Place]] = defaultdict(list)
        by_short: dict[str, list[Place]] = defaultdict(list)
        self._by_any_name: dict[str, list[Place]] = defaultdict(list)  # full or short name -> places, in order
        for place in self.places:
            by_full[place.name].append(place)
            for short in place.shorts:
                by_short[short].append(place)
            for surface in dict.fromkeys((place.name, *place.shorts)):
                self._by_any_name[surface].append(place)
        for surface, owners in by_short.items():
            if surface in by_full:
                continue  # a full name always wins over another place's short form
            best = min(_RANK[p.level] for p in owners)
            top = [p for p in owners if _RANK[p.level] == best]
            if len(top) == 1:
                self._surfaces[surface] = (top[0],)
            else:
                LOGGER.debug("short form %s is ambiguous between %s; not used", surface, top)
        for surface, owners in by_full.items():
            self._surfaces[surface] = tuple(owners)
        for phrase in SKIP_PHRASES:
            self._surfaces[phrase] = ()
        self._lengths: dict[str, list[int]] = defaultdict(list)
        for surface in self._surfaces:
            self._lengths[surface[0]].append(len(surface))
        for lengths in self._lengths.values():
            lengths[:] = sorted(set(lengths), reverse=True)
        # short forms that count only beside their province ('~' in the file)
        self._weak = frozenset(short for place in self.places if place.confirm for short in place.shorts
                               if self._surfaces.get(short) == (place,))

    @classmethod
    def from_lines(cls, lines: Iterable[str], name: str = DATA_FILE) -> Gazetteer:
        places: list[Place] = []
        stack: list[str] = []  # names of the current ancestors by depth
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent % 2:
                raise GazetteerError(f"{name}:{number}: 缩进应为两个空格的倍数")
            depth = indent // 2
            parts = line.split()
            place_name, options = parts[0], parts[1:]
            explicit: list[str] | None = None
            blocked = confirm = False
            for option in options:
                if option == "!":
                    blocked = True
                elif option == "~":
                    confirm = True
                elif option.startswith("="):
                    explicit = [s for s in option[1:].split(",") if s]
                else:
                    raise GazetteerError(f"{name}:{number}: 无法识别的选项 '{option}'")
            if depth > len(stack):
                raise GazetteerError(f"{name}:{number}: 缩进过深")
            stack[depth:] = [place_name]
            shorts = _short_forms(place_name, explicit, blocked)
            province = stack[0]
            municipal = province in MUNICIPALITIES
            if depth == 0:
                place = Place(place_name, "province", province, province if municipal else None, None, shorts)
            elif depth == 1 and not municipal:
                place = Place(place_name, "city", province, place_name, None, shorts, confirm)
            elif depth == 1:
                place = Place(place_name, "district", province, province, place_name, shorts, confirm)
            elif depth == 2 and not municipal:
                place = Place(place_name, "district", province, stack[1], place_name, shorts, confirm)
            else:
                raise GazetteerError(f"{name}:{number}: 层级过深（只到区县）")
            if confirm and depth == 0:
                raise GazetteerError(f"{name}:{number}: '~' 只用于市、区县")
            places.append(place)
        return cls(places)

    @classmethod
    def default(cls) -> Gazetteer:
        return default_gazetteer()

    # --- lookup ---------------------------------------------------------------------------------

    def lookup(self, surface: str) -> tuple[Place, ...]:
        """Places a name (full or short form) may mean."""
        return self._surfaces.get(surface, ())

    def find(self, region: str | Mapping | Region | None) -> Place | None:
        """The place a region path or dict names (``天津市/东丽区``, ``天津/东丽``, ``{province: …}``)."""
        if region is None:
            return None
        if isinstance(region, Region):
            names = [region.province, region.city, region.district]
        elif isinstance(region, Mapping):
            names = [region.get("province"), region.get("city"), region.get("district")]
        else:
            text = str(region).replace("／", "/").strip()
            if "/" not in text and text and not self._candidates_any(text):
                # '天津市河西区', '西青区张家窝镇' (a board's 地区 field): the place the text spells out
                spelled = self.resolve(text, "", None)
                return self.find(spelled) if spelled and not spelled.ambiguous else None
            names = [p.strip() for p in text.split("/")]
        names = [n for n in names if n]
        if not names:
            return None
        found: Place | None = None
        for part in names:
            candidates = [p for p in self._candidates_any(part) if found is None or _within(p, found)]
            if found is not None and candidates == [] and part in (found.name, *found.shorts):
                continue  # "天津市/天津市/东丽区"
            if len(candidates) != 1:
                return None
            found = candidates[0]
        return found

    def _candidates_any(self, surface: str) -> list[Place]:
        """All places with this full or short name, ignoring the priority rules of text matching."""
        return list(self._by_any_name.get(surface, ()))

    # --- text -----------------------------------------------------------------------------------

    def mentions(self, text: str, weight: float = 1.0, skip: Collection[str] = ()) -> list[Mention]:
        """Place names in ``text``, leftmost-longest, without overlaps; traditional characters are
        read as simplified ones (廣州市 is 广州市), positions stay those of ``text``. Names in ``skip``
        are read as ordinary text."""
        found: list[Mention] = []
        text = fold(text or "")
        i, n = 0, len(text)
        while i < n:
            step = 1
            for length in self._lengths.get(text[i], ()):
                surface = text[i:i + length]
                if len(surface) < length or surface not in self._surfaces or surface in skip:
                    continue
                if surface.endswith("区") and text[i + length:i + length + 1] == "域":
                    continue  # 区域: "河北区域" is about 河北
                if surface in self._weak and self._runs_into_another(text, i, length):
                    continue  # 来安徽: the name that reaches further (安徽) is read, not 来安
                places = self._surfaces[surface]
                if places:
                    found.append(Mention(surface, i, places, weight))
                step = length
                break
            i += step
        return found

    def _runs_into_another(self, text: str, start: int, length: int) -> bool:
        """Whether a name begins inside ``text[start:start + length]`` and ends after it."""
        end = start + length
        for j in range(start + 1, end):
            for other in self._lengths.get(text[j], ()):
                if j + other > end and text[j:j + other] in self._surfaces:
                    return True
        return False

    def resolve(
        self,
        title: str | None,
        content: str | None = "",
        source_region: str | Mapping | Region | None = None,
        *,
        source_weight: float = SOURCE_WEIGHT,
    ) -> Region | None:
        """The region of a post (see the module docstring for the rules), or None if unknown."""
        skip: set[str] = set()
        while True:  # an unconfirmed short form is read as ordinary text, so 失常山西 still names 山西
            mentions = self.mentions(title or "", TITLE_WEIGHT, skip) + self.mentions(content or "", CONTENT_WEIGHT, skip)
            drop = unconfirmed(mentions)
            if not drop:
                break
            skip |= drop
        source = self.find(source_region) if source_region else None
        if source_region and source is None:
            LOGGER.warning("来源地域 %r 不在地名表中，已忽略", source_region)
        return choose_region(mentions, source, source_weight)


def unconfirmed(mentions: list[Mention]) -> set[str]:
    """Short forms marked ``~`` among ``mentions`` whose province no other mention names or implies
    (``陆丰`` counts in 广东陆丰 or beside 汕尾, not in 交行首席经济学家连平 or 走上街头)."""
    named = {place.province for m in mentions if not m.needs_confirmation for place in m.candidates}
    return {m.surface for m in mentions if m.needs_confirmation and m.candidates[0].province not in named}


def _within(place: Place, ancestor: Place) -> bool:
    key = ancestor.key(ancestor.level)
    return place is not ancestor and _RANK[place.level] > _RANK[ancestor.level] and \
        place.key(ancestor.level) == key


@dataclass
class _Scores:
    score: dict[tuple, float] = field(default_factory=lambda: defaultdict(float))
    first: dict[tuple, int] = field(default_factory=dict)

    def add(self, place: Place, weight: float, order: int, up_to: str | None = None) -> None:
        for level in LEVELS:
            key = place.key(level)
            if key is None or (up_to and _RANK[level] > _RANK[up_to]):
                break
            self.score[key] += weight
            self.first.setdefault(key, order)


def _shared_level(places: tuple[Place, ...]) -> str | None:
    """The lowest level at which all ``places`` share an ancestor."""
    shared = None
    for level in LEVELS:
        keys = {p.key(level) for p in places}
        if len(keys) == 1 and None not in keys:
            shared = level
        else:
            break
    return shared


def choose_region(mentions: list[Mention], source: Place | None, source_weight: float = SOURCE_WEIGHT) -> Region | None:
    """Pick the region from mentions and the source's place; see the module docstring."""
    scores = _Scores()
    source_keys = {source.key(level) for level in LEVELS} - {None} if source else set()
    order = 0
    ambiguous: list[Mention] = []
    for mention in mentions:
        if len(mention.candidates) == 1:
            scores.add(mention.candidates[0], mention.weight, order)
        else:
            ambiguous.append(mention)
        order += 1
    undecided: list[str] = []
    for mention in ambiguous:
        def support(place: Place) -> float:
            total = 0.0
            for level in LEVELS[: _RANK[place.level]]:
                key = place.key(level)
                total += scores.score.get(key, 0.0) + (source_weight if key in source_keys else 0.0)
            return total
        ranked = sorted(((support(p), i) for i, p in enumerate(mention.candidates)), reverse=True)
        if ranked[0][0] > 0 and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            scores.add(mention.candidates[ranked[0][1]], mention.weight, order)
        else:
            shared = _shared_level(mention.candidates)
            if shared:
                scores.add(mention.candidates[0], mention.weight, order, up_to=shared)
            undecided.append(mention.surface)
        order += 1

    provinces = {k: v for k, v in scores.score.items() if len(k) == 1}
    if len(provinces) >= DIFFUSE_PROVINCES and max(provinces.values()) < DIFFUSE_SHARE * sum(provinces.values()):
        scores = _Scores()  # a national round-up: the text names no single region
    if source:
        scores.add(source, source_weight, 10**9)

    def best(level_len: int, prefix: tuple[str, ...]) -> tuple[str, ...] | None:
        keys = [k for k in scores.score if len(k) == level_len and k[: len(prefix)] == prefix]
        if not keys:
            return None
        return max(keys, key=lambda k: (scores.score[k], k in source_keys, -scores.first.get(k, 0)))

    province = best(1, ())
    if province is None:
        return None
    city = best(2, province)
    if city is None and province[0] in MUNICIPALITIES:
        city = (province[0], province[0])
    district = best(3, city) if city else None
    return Region(
        province=province[0],
        city=city[1] if city else None,
        district=district[2] if district else None,
        ambiguous=tuple(dict.fromkeys(undecided)),
    )


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The project gazetteer, loaded once per process."""
    text = resources.files("analysis.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return Gazetteer.from_lines(text.splitlines())


def detect_region(
    title: str | None,
    content: str | None = "",
    source_region: str | Mapping | Region | None = None,
) -> dict | None:
    """``{province, city, district, path}`` of a post, or None when neither text nor source tells."""
    region = default_gazetteer().resolve(title, content, source_region)
    return region.to_dict() if region else None


__all__ = [
    "Gazetteer",
    "GazetteerError",
    "Mention",
    "Place",
    "Region",
    "choose_region",
    "default_gazetteer",
    "detect_region",
]
