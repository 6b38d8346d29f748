"""Per-language tables for numbers: month names, scale words and currency names as German,
English and Chinese texts write them (for parsing), and the renderings tk writes itself."""

from __future__ import annotations

# --- for parsing ------------------------------------------------------------------------------

DE_MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "mär": 3, "maerz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}
EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}


DE_SCALES = {
    "tausend": 10**3, "tsd": 10**3, "million": 10**6, "millionen": 10**6, "mio": 10**6,
    "milliarde": 10**9, "milliarden": 10**9, "mrd": 10**9,
    # German "Billion" is 10^12: the classic false friend of English "billion".
    "billion": 10**12, "billionen": 10**12, "bio": 10**12,
}
EN_SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "mln": 10**6, "m": 10**6,
    "billion": 10**9, "bn": 10**9, "bln": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
    "t": 10**12,
}
# Word scales take a space; letter abbreviations are glued ("$53bn", "420M", "397B").
ZH_SCALE_CHARS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}

# Currency names -> ISO 4217. "Dollar" alone means US dollars in this domain. "¥" is either
# yen or yuan: it stays "¥" and matches both (see _same_unit).
DE_CURRENCIES = {
    "€": "EUR", "euro": "EUR", "eur": "EUR", "us-dollar": "USD", "us$": "USD", "dollar": "USD",
    "usd": "USD", "$": "USD", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY",
    "hongkong-dollar": "HKD", "hk$": "HKD", "hkd": "HKD", "yen": "JPY", "jpy": "JPY", "£": "GBP",
    "pfund sterling": "GBP", "gbp": "GBP", "chf": "CHF", "schweizer franken": "CHF", "¥": "¥",
    "australische dollar": "AUD", "a$": "AUD", "aud": "AUD", "kanadische dollar": "CAD",
    "cad": "CAD",
}
EN_CURRENCIES = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR", "us$": "USD", "$": "USD",
    "us dollars": "USD", "u.s. dollars": "USD", "us dollar": "USD", "u.s. dollar": "USD",
    "dollars": "USD", "dollar": "USD", "usd": "USD", "yuan": "CNY", "renminbi": "CNY",
    "rmb": "CNY", "cny": "CNY", "hk$": "HKD", "hong kong dollars": "HKD", "hkd": "HKD",
    "yen": "JPY", "jpy": "JPY", "£": "GBP", "pounds": "GBP", "pounds sterling": "GBP",
    "gbp": "GBP", "chf": "CHF", "swiss francs": "CHF", "¥": "¥", "australian dollars": "AUD",
    "a$": "AUD", "au$": "AUD", "aud$": "AUD", "aud": "AUD", "canadian dollars": "CAD", "c$": "CAD", "cad": "CAD",
}
ZH_CURRENCIES = {
    "美元": "USD", "美金": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD", "日元": "JPY",
    "英镑": "GBP", "瑞士法郎": "CHF", "澳元": "AUD", "加元": "CAD", "人民币": "CNY", "元": "CNY",
    "块": "CNY", "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "¥", "HK$": "HKD",
}


# --- for rendering (what Babel writes the same way comes from Babel: see render.py) ----------

EN_SCALE_WORDS = {10**12: "trillion", 10**9: "billion", 10**6: "million", 10**3: "thousand"}
DE_SCALE_WORDS = {10**12: ("Billion", "Billionen"), 10**9: ("Milliarde", "Milliarden"),
                   10**6: ("Million", "Millionen"), 10**3: ("Tausend", "Tausend")}
ZH_SCALE_WORDS = {10**12: "万亿", 10**8: "亿", 10**4: "万"}
EN_CURRENCY_SUFFIX = {"CNY": "yuan", "JPY": "yen"}
ZH_CURRENCY = {"USD": "美元", "EUR": "欧元", "CNY": "元", "HKD": "港元", "JPY": "日元",
                "GBP": "英镑", "CHF": "瑞士法郎", "AUD": "澳元", "CAD": "加元"}
DE_CURRENCY = {"EUR": "€", "USD": "US-Dollar", "CNY": "Yuan", "HKD": "Hongkong-Dollar",
                "JPY": "Yen", "GBP": "Pfund", "CHF": "Franken"}

