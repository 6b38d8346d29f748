"""Amounts in Chinese text: Arabic or Chinese numerals with 万/亿 scales, percentages and
money (see :mod:`toolkit.qa.numbers.parse`)."""

from __future__ import annotations

import re
from decimal import Decimal

from toolkit.qa.numbers.amounts import (
    amount_matches,
    is_product_number,
    looks_like_year,
)
from toolkit.qa.numbers.base import (
    CN_NUMERAL,
    EN_NUM,
    Parser,
    Quantity,
    QuantityKind,
    alternation,
    cn_to_int,
    scale_product,
    span,
    times,
    to_decimal,
)
from toolkit.qa.numbers.tables import (
    ZH_CURRENCIES,
)


def zh_amounts(p: Parser, names: list[tuple[int, int]]) -> None:
    text = p.text
    cur = alternation(ZH_CURRENCIES, "cur", suffix_boundary=False)
    # Symbols (and 人民币) also go in front: "$400", "人民币30亿元".
    in_front = {k: v for k, v in ZH_CURRENCIES.items() if k in ("人民币", "$", "US$", "€", "£", "¥", "HK$")}
    pre = alternation(in_front, "pre", suffix_boundary=False)
    num = rf"(?:{EN_NUM})"
    cn = rf"{CN_NUMERAL}+"
    scale = r"[十百千万亿]*"
    # 百分之六十, 百分之6.22
    for m in re.finditer(rf"百分之(?P<n>{num}|{cn})", text):
        s, e = m.span()
        if p.free(s, e):
            p.add(Quantity("percent", _zh_value(m.group("n"), ""), m.group(), (s, e), unit="%"))
    # 第3, 第三
    for m in re.finditer(r"第\s*(?P<n>\d+|[一二三四五六七八九十百]+)", text):
        if p.free(*m.span()) and not any(s <= m.start("n") < e for s, e in names):
            p.add(Quantity("ordinal", _zh_value(m.group("n"), ""), m.group(), m.span()))
    # Typeset Chinese puts spaces around digits ("400 万"); 多/余 mark a rounded figure ("400多万").
    single = (rf"(?:{pre}\s?)?(?P<low>{num}|{cn})(?:\s*[多余])?\s*(?P<low_scale>{scale})"
              rf"\s*(?P<low_unit>%|个百分点|{alternation(ZH_CURRENCIES, 'low_cur', suffix_boundary=False)})?")
    range_end = (rf"(?:\s*(?:–|—|-|‒|~|～|至|到)\s*"
                 rf"(?:{alternation({'$': '', 'US$': '', '€': '', '¥': ''}, 'pre2', suffix_boundary=False)}\s?)?"
                 rf"(?P<high>{num}|{cn})(?:\s*[多余])?\s*(?P<high_scale>{scale}))?")
    unit = rf"\s*(?P<unit>%|个百分点|{cur})?"
    no_range = r"(?P<pre2>(?!))?(?P<high>(?!))?(?P<high_scale>(?!))?"
    pat, single_pat = re.compile(single + range_end + unit), re.compile(single + no_range + unit)

    def consistent(m: re.Match[str]) -> bool:
        low_u, u = m.group("low_unit"), m.group("unit")
        return not (low_u and u and low_u != u) and not (low_u and m.group("pre2"))

    for m in amount_matches(pat, single_pat, text, consistent):
        g = m.groupdict()
        ls = m.start("low")
        if any(s <= ls < e for s, e in names):
            continue
        low_s, high_s = g["low"], g["high"]
        is_cn = not low_s[0].isdigit()
        unit_s = g["unit"] or g["low_unit"] or ""
        # A Chinese numeral is a quantity only with a scale or unit (三十亿, 五个百分点); a lone
        # 一 is everywhere in ordinary words.
        if is_cn and not (g["low_scale"] or unit_s or any(c in low_s for c in "万亿")):
            continue
        if is_cn and len(low_s) == 1 and low_s in "一两" and not g["low_scale"] and unit_s in ("元", "块"):
            continue  # 一元化, 两块: not money
        s, e = span(m)
        if not p.free(s, e):
            continue
        # "3至5亿": the scale of the upper end applies to both, unless the lower end has its
        # own unit ("2,500日元到13万日元").
        low_scale = g["low_scale"] or ("" if g["low_unit"] else g["high_scale"] or "")
        low = _zh_value(low_s, low_scale)
        high = _zh_value(high_s, g["high_scale"] or low_scale) if high_s else None
        scale_chars = (g["high_scale"] if high_s else "") or g["low_scale"]
        scale_f = scale_product(scale_chars) if scale_chars and not is_cn else None
        if is_cn and any(c in low_s for c in "万亿"):
            scale_f = 10**8 if "亿" in low_s else 10**4
        surface = text[s:e]
        amount = text[m.start("low"):m.end("high_scale") if high_s else m.end("low_scale")]
        year_suffix = bool(re.match(r"\s*年", text[e:])) and not scale_chars and not unit_s
        if unit_s in ("%", "个百分点"):
            q = Quantity("percent", low, surface, (s, e), high=high,
                         unit="pp" if unit_s == "个百分点" else "%", scale=scale_f, amount=amount)
        elif unit_s or g.get("pre"):
            code = ZH_CURRENCIES[unit_s or g["pre"]]
            q = Quantity("currency", low, surface, (s, e), high=high, unit=code, scale=scale_f,
                         amount=amount)
        else:
            if is_product_number(text, m, g, scale_f, "zh"):
                continue
            kind: QuantityKind = "number"
            if not scale_chars and (year_suffix or looks_like_year(low_s)) and (
                high_s is None or looks_like_year(high_s) or year_suffix
            ):
                kind = "year"
                if year_suffix:
                    e = text.index("年", e) + 1
                    surface = text[s:e]
            q = Quantity(kind, low, surface, (s, e), high=high, scale=scale_f, amount=amount)
        p.add(q)


def _zh_value(s: str, scale_chars: str) -> Decimal:
    base = to_decimal(s, "zh") if s[0].isdigit() else Decimal(cn_to_int(s))
    return times(base, scale_product(scale_chars))
