"""Values read from a query string: links carry text, and people type booleans many ways."""


def parse_bool(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def within(low, high, kind=float):
    """A cast for a number from a link that a widget bounds: out of range, the page warns and uses its default
    instead of the widget refusing the value with an exception."""

    def cast(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}…{high}")
        return value

    return cast


def one_of(options):
    """A cast for a choice from a link: only one of `options`."""

    def cast(text: str) -> str:
        if text not in options:
            raise ValueError(f"choose one of {', '.join(map(str, options))}")
        return text

    return cast
