"""What a list request asks for: how many items, and where the page starts (a position the previous page gave)."""

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class PageRequest:
    limit: int = 20
    after: Optional[Any] = None
