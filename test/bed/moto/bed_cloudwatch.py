"""CloudWatch metric math in GetMetricData, which moto answers only for an expression that is a
bare query id (`m1`); anything else (`errors / requests`, `100 * (1 - e / r)`) comes back empty.

Here an expression is evaluated the way CloudWatch does it for the arithmetic a check needs:
numbers, query ids, + - * / with the usual precedence, parentheses, unary minus, and the functions
ABS(x) and FILL(x, value). Series are lined up by timestamp; a timestamp one of the series lacks
is left out unless FILL gives it a value; a division by zero leaves the point out. Anything else is
refused with the ValidationError CloudWatch would give.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, SupportsFloat

TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),]))")

Series = dict[datetime, float]
# A value is a constant or a series (timestamp → value).
Value = float | Series


class MathError(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m:
            raise MathError(f"unexpected character {text[pos:].strip()[0]!r} in the expression {text!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _apply(a: Value, b: Value, fn: Callable[[float, float], float | None]) -> Value:
    if isinstance(a, dict) or isinstance(b, dict):
        keys = set(a) if isinstance(a, dict) else set(b)  # type: ignore[arg-type]
        if isinstance(a, dict) and isinstance(b, dict):
            keys = set(a) & set(b)
        out: Series = {}
        for t in keys:
            x = a[t] if isinstance(a, dict) else a
            y = b[t] if isinstance(b, dict) else b
            v = fn(x, y)
            if v is not None:
                out[t] = v
        return out
    v = fn(a, b)
    if v is None:
        raise MathError("division by zero")
    return v


def _divide(x: float, y: float) -> float | None:
    return None if y == 0 else x / y


class _Parser:
    def __init__(self, text: str, series: dict[str, Series]) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.series = series

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise MathError(f"expected {value or 'more'} in the expression {self.text!r}")
        self.i += 1
        return token

    def parse(self) -> Value:
        value = self.expr()
        if self.peek() is not None:
            raise MathError(f"unexpected {self.peek()[1]!r} in the expression {self.text!r}")  # type: ignore[index]
        return value

    def expr(self) -> Value:
        value = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.take()
            right = self.term()
            value = _apply(value, right, (lambda x, y: x + y) if token[1] == "+" else (lambda x, y: x - y))
        return value

    def term(self) -> Value:
        value = self.factor()
        while (token := self.peek()) and token[1] in "*/" and token[0] == "op":
            self.take()
            right = self.factor()
            value = _apply(value, right, (lambda x, y: x * y) if token[1] == "*" else _divide)
        return value

    def factor(self) -> Value:
        kind, text = self.take()
        if kind == "number":
            return float(text)
        if text == "-":
            return _apply(0.0, self.factor(), lambda x, y: x - y)
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        if kind == "name" and self.peek() == ("op", "("):
            self.take("(")
            args = [self.expr()]
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.expr())
            self.take(")")
            return self.call(text, args)
        if kind == "name":
            if text not in self.series:
                raise MathError(f"Unrecognized metric id {text!r} in the expression {self.text!r}")
            return dict(self.series[text])
        raise MathError(f"unexpected {text!r} in the expression {self.text!r}")

    def call(self, name: str, args: list[Value]) -> Value:
        if name == "ABS" and len(args) == 1:
            return _apply(args[0], 0.0, lambda x, _y: abs(x))
        if name == "FILL" and len(args) == 2 and isinstance(args[0], dict) and not isinstance(args[1], dict):
            filled = dict(args[0])
            every = {t for s in self.series.values() for t in s}
            for t in every - set(filled):
                filled[t] = float(args[1])
            return filled
        raise MathError(f"the function {name} with {len(args)} arguments is not supported here (ABS(x), FILL(x, value))")


def evaluate(expression: str, results: list[dict[str, Any]]) -> tuple[list[SupportsFloat], list[datetime]]:
    """(values, timestamps) of `expression` over the other queries' results, newest first."""
    series = {r["id"]: {t: float(v) for t, v in zip(r["timestamps"], r["values"])} for r in results}
    value = _Parser(expression, series).parse()
    if not isinstance(value, dict):
        # A constant: one point per timestamp any series has (CloudWatch draws a flat line).
        every = sorted({t for s in series.values() for t in s}, reverse=True)
        return [value] * len(every), every
    times = sorted(value, reverse=True)
    return [value[t] for t in times], times


def install() -> None:
    import moto.cloudwatch.models as models
    from moto.cloudwatch.exceptions import ValidationError

    def parse_expression(expression: str, results: list[dict[str, Any]]) -> tuple[list[SupportsFloat], list[datetime]]:
        try:
            return evaluate(expression, results)
        except MathError as error:
            raise ValidationError(str(error))

    models.parse_expression = parse_expression
