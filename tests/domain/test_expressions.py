"""domain.expressions reuses one evaluator per thread (issue 15): an evaluation sees only its own names —
never the previous evaluation's — errors leave the evaluator clean, and threads never share one."""
from __future__ import annotations

import threading

import pytest

from domain.expressions import ExpressionError, evaluate


def test_each_evaluation_sees_only_its_own_names():
    assert evaluate("priority == 'critical' and impact < 3", {"priority": "critical", "impact": 2}) is True
    with pytest.raises(ExpressionError, match="unknown name 'impact'"):
        evaluate("impact < 3", {"priority": "critical"})   # the previous names are gone
    assert evaluate("len(team) + 1", {"team": "abc"}) == 4


def test_a_failed_evaluation_leaves_nothing_behind():
    with pytest.raises(ExpressionError):
        evaluate("int(x)", {"x": "not a number"})
    with pytest.raises(ExpressionError, match="unknown name 'x'"):
        evaluate("x", {})


def test_threads_evaluate_at_once_each_with_their_own_names():
    results, errors = {}, []

    def work(n: int) -> None:
        try:
            results[n] = [evaluate("value * 2 + offset", {"value": n, "offset": i}) for i in range(300)]
        except Exception as exc:   # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == {n: [n * 2 + i for i in range(300)] for n in range(8)}
