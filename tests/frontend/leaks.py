"""Find English words and ASCII punctuation in the text a Chinese reader sees.

Visible text = character data outside <script>, <style>, <svg> and <template>, plus the attributes a person
reads or hears (placeholder, title, aria-label, alt, button values). Content marked translate="no" (the HTML
attribute for codes, names, e-mail addresses and numbers that stay as they are) is skipped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words allowed in Chinese text: brand and technical terms (see docs/glossary.md) and the tokens of an
# RFC 5545 example rule and a date pattern shown as input formats.
ALLOWED = {
    "QR", "API", "CSV", "XLSX", "Excel", "PDF", "Stripe", "CVC", "TOTP", "iCal", "RFC", "ISO", "IP", "GB",
    "JPEG", "PNG", "WebP", "MB", "UTF", "GBK",
    "FREQ", "WEEKLY", "DAILY", "BYDAY", "COUNT", "UNTIL", "MO", "TU", "WE", "TH", "FR", "SA", "SU",
    "YYYY", "MM", "DD", "HH",
    "English",  # the language switch names each language in itself
}
# One term for each thing (docs/glossary.md): the variant on the left is reported with the glossary's term.
VARIANTS = {"帐户": "账号", "账户": "账号", "帐号": "账号", "双因素": "两步验证", "双重认证": "两步验证",
            "电子邮件": "邮箱 / 邮件", "电子邮箱": "邮箱", "Email": "邮箱", "工会会员服务平台": "工会服务平台",
            "错误代码": "验证码错误", "登出": "退出登录", "手机号码": "手机号", "恢复代码": "恢复码"}
SKIP_TAGS = {"script", "style", "svg", "template", "noscript"}
READ_ATTRS = {"placeholder", "title", "aria-label", "alt", "data-label"}  # data-label: stacked table cells
WORD = re.compile(r"[A-Za-z][A-Za-z’']*[A-Za-z]|[A-Za-z]{2,}")
NOT_WORDS = re.compile(r"(?:https?|webcal)://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w/])/[\w/.?=&%-]*")
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
ASCII_PUNCT_AFTER_CJK = re.compile(rf"[{CJK}] ?[:.?!,;]|[{CJK}] ?\(|\) ?[{CJK}]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []  # open tags whose content is skipped

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip:
            if tag not in VOID:
                self._skip.append(tag)
            return
        if tag in SKIP_TAGS or attrs.get("translate") == "no":
            if tag not in VOID:
                self._skip.append(tag)
            return
        for name in READ_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return [" ".join(p.split()) for p in parser.parts]


def problems(texts: list[str], echoed: frozenset[str] = frozenset()) -> list[str]:
    """English words outside ALLOWED, ASCII punctuation next to a Chinese character and terms the glossary
    replaces, each with its context. `echoed`: words the user typed, quoted back in an error message."""
    found = []
    for text in texts:
        cleaned = NOT_WORDS.sub(" ", text)
        words = [w for w in WORD.findall(cleaned) if w not in ALLOWED and w not in echoed]
        if words:
            found.append(f"English {words}: {text[:120]!r}")
        found += [f"{variant!r} instead of {term!r}: {text[:120]!r}" for variant, term in VARIANTS.items()
                  if variant in text]
        for match in ASCII_PUNCT_AFTER_CJK.finditer(text):
            start = max(match.start() - 12, 0)
            found.append(f"ASCII punctuation {match.group()!r}: {text[start:match.end() + 12]!r}")
    return found


def html_problems(html: str, echoed: frozenset[str] = frozenset()) -> list[str]:
    return problems(visible_text(html), echoed)
