"""The AWS access an operation declares (`needs=` beside its route, or on an event handler), read into parts:

    service:Action[:table[,table...][(attribute,...)]][?setting]

`dynamodb:UpdateItem:products(id,stock)` may update items of the products table touching only those attributes
(IAM's `dynamodb:Attributes` condition); `cognito-idp:AdminConfirmSignUp?auto_confirm` is granted only where the
stage's setting is on. ops/iam.py makes IAM statements of them; tests/recorder.py checks every AWS call the
app makes against them with `allows`, the same reading (moto evaluates no IAM)."""

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

_FORM = re.compile(
    r"^(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z]+)(?::(?P<tables>[a-z,-]+)"
    r"(?:\((?P<attributes>[A-Za-z0-9_.,-]+)\))?)?(?:\?(?P<when>[a-z_]+))?$"
)


@dataclass(frozen=True)
class Need:
    service: str
    action: str
    tables: Tuple[str, ...] = ()
    attributes: Optional[Tuple[str, ...]] = None  # None: every attribute
    when: Optional[str] = None  # the stage setting it depends on

    @property
    def iam_action(self) -> str:
        return f"{self.service}:{self.action}"


def parse(text: str) -> Need:
    found = _FORM.match(text)
    if not found:
        raise ValueError(f"not a need: {text!r}")
    tables = tuple(found["tables"].split(",")) if found["tables"] else ()
    attributes = tuple(sorted(found["attributes"].split(","))) if found["attributes"] else None
    return Need(found["service"], found["action"], tables, attributes, found["when"])


def granted(needs: Iterable[str], settings: dict) -> list:
    """The needs a stage grants: those without a setting, and those whose setting the stage turns on."""
    return [
        n
        for n in map(parse, needs)
        if n.when is None or str(settings.get(n.when, "")).lower() in ("1", "true")
    ]


def allows(declared: Iterable[str], made: str) -> bool:
    """Whether a call (in the same form: the tables and attributes it touched) is within what is declared."""
    call = parse(made)
    for need in map(parse, declared):
        if (need.service, need.action) != (call.service, call.action):
            continue
        if call.tables and not set(call.tables) <= set(need.tables):
            continue
        if need.attributes is not None and (
            call.attributes is None or not set(call.attributes) <= set(need.attributes)
        ):
            continue
        return True
    return False


def settings_of(environment: dict) -> dict:
    """A stage's settings as needs name them: SHOP_AUTO_CONFIRM is `auto_confirm`."""
    return {
        k.removeprefix("SHOP_").lower(): v for k, v in environment.items() if isinstance(v, str)
    }
