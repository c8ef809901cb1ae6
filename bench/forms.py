"""Finding and filling the site's HTML forms, so the load generators follow the real pages
(field names, hidden inputs, CSRF tokens) instead of hard-coding them. Stdlib only."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class FormField:
    name: str
    value: str
    kind: str  # input type, "select" or "textarea"
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def values(self) -> list[tuple[str, str]]:
        """What a browser would submit without the user touching anything."""
        pairs = []
        for f in self.fields:
            if f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind == "select" and not f.value and f.options:
                pairs.append((f.name, f.options[0]))
                continue
            pairs.append((f.name, f.value))
        return pairs


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                FormField(a["name"], a.get("value", ""), kind, checked="checked" in a)
            )
        elif tag == "select" and a.get("name"):
            self._select = FormField(a["name"], "", "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = FormField(a["name"], "", "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form.fields.append(FormField(a["name"], a.get("value", ""), "button"))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option_value is not None or self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea":
            self._textarea = None

    def _close_option(self):
        if self._select is None or (self._option_value is None and not self._option_text):
            return
        value = self._option_value if self._option_value is not None else self._option_text.strip()
        self._select.options.append(value)
        if self._option_selected:
            self._select.value = value
        self._option_value = None
        self._option_selected = False
        self._option_text = ""


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html or "")
    parser.close()
    return parser.forms


def find_form(html: str, *, action_contains: str = "", field_like: tuple[str, ...] = ()):
    """The first form whose action contains `action_contains` and that has a field whose name
    contains one of `field_like` (when given); None if the page has no such form."""
    for form in parse_forms(html):
        if action_contains and action_contains not in form.action:
            continue
        if field_like and not any(
            any(part in name.lower() for part in field_like) for name in form.field_names()
        ):
            continue
        if form.method == "post" or not action_contains:
            return form
    return None


# Test-provider card details. The name patterns are matched against the checkout form's field
# names, so the harness keeps working if the payments page renames a field.
TEST_CARD_NUMBER = "4242424242424242"


def card_form_values(form: Form, *, year: int) -> list[tuple[str, str]]:
    """Fill a checkout form with the test card that always succeeds."""
    filled = []
    for name, value in form.values():
        lowered = name.lower()
        if "csrf" in lowered:
            filled.append((name, value))
        elif "number" in lowered or lowered in ("card", "pan"):
            filled.append((name, TEST_CARD_NUMBER))
        elif "month" in lowered:
            filled.append((name, "12"))
        elif "year" in lowered:
            filled.append((name, str(year + 2)))
        elif "exp" in lowered:  # one "MM/YY" field
            filled.append((name, f"12/{(year + 2) % 100:02d}"))
        elif "cvc" in lowered or "cvv" in lowered or "security" in lowered:
            filled.append((name, "123"))
        elif "name" in lowered and not value:
            filled.append((name, "Bench User"))
        elif ("postal" in lowered or "zip" in lowered) and not value:
            filled.append((name, "10001"))
        else:
            filled.append((name, value))
    return filled


def with_value(pairs: list[tuple[str, str]], name_like: str, value: str) -> list[tuple[str, str]]:
    """Replace the value of every field whose name contains `name_like`."""
    return [(n, value if name_like in n.lower() else v) for n, v in pairs]


def find_link(html: str, contains: str) -> str | None:
    """The first href containing `contains`."""
    finder = _LinkFinder(contains)
    finder.feed(html or "")
    return finder.found


class _LinkFinder(HTMLParser):
    def __init__(self, contains: str):
        super().__init__(convert_charrefs=True)
        self.contains = contains
        self.found: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.found is None and tag == "a":
            href = dict(attrs).get("href") or ""
            if self.contains in href:
                self.found = href
