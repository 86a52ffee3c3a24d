"""`once`: an attribute made on first read, by one thread, and kept (the composition root's parts are these)."""

import threading
from typing import Any, Callable, Generic, Optional, TypeVar, overload

T = TypeVar("T")
_lock = threading.RLock()


class once(Generic[T]):
    """A lazily made attribute: made on first read (one thread makes it), assignable in tests."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self._make = make
        self.__doc__ = make.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: Optional[type] = None) -> "once[T]": ...

    @overload
    def __get__(self, instance: object, owner: Optional[type] = None) -> T: ...

    def __get__(self, instance: Optional[object], owner: Optional[type] = None) -> Any:
        if instance is None:
            return self
        made = instance.__dict__.get(self._name)
        if made is None:
            with _lock:
                made = instance.__dict__.get(self._name)
                if made is None:
                    made = instance.__dict__[self._name] = self._make(instance)
        return made

    def __set__(self, instance: object, value: T) -> None:
        instance.__dict__[self._name] = value
