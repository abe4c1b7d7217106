"""Work off the UI thread lets go of the widgets it closes over before it reports back."""

import gc
import weakref

from branchdesk.ui.ops import _Job


class _Widgetish:  # stands for the page a job's function closes over
    pass


def _work_over(widget, fails: bool):
    def work():
        if fails:
            raise ValueError("no room")
        return id(widget)

    return work


def _job_over_a_widget(fails: bool):
    seen = {}
    widget = _Widgetish()
    alive = weakref.ref(widget)

    def reported(succeeded, value):
        gc.collect()
        seen["widget alive while reporting"] = alive() is not None
        seen["value"] = value

    job = _Job(_work_over(widget, fails), reported)
    del widget  # from now on only the job's function holds it
    return job, seen


def test_the_function_is_dropped_before_success_is_reported():
    # Were the worker to keep it, the last reference to a closed window could die in the
    # worker thread, destroying the widget there: Qt crashes (seen as a rare segfault).
    job, seen = _job_over_a_widget(fails=False)
    job.run()
    assert seen["widget alive while reporting"] is False
    assert isinstance(seen["value"], int)


def test_the_function_is_dropped_before_a_failure_is_reported():
    job, seen = _job_over_a_widget(fails=True)
    job.run()
    assert seen["widget alive while reporting"] is False
    assert isinstance(seen["value"], ValueError)


def test_a_page_closed_while_its_work_runs_gets_no_answer_and_nothing_crashes(qtbot):
    import threading

    from PySide6.QtWidgets import QWidget

    from branchdesk.ui.ops import BackgroundOp

    release = threading.Event()
    answered = []
    page = QWidget()
    op = BackgroundOp(page, lambda: release.wait(10)).success(answered.append)
    op.run()
    page.deleteLater()  # the window closes while the export still runs
    qtbot.wait(50)
    release.set()
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)  # the report arrives: nobody is left to answer, nothing breaks
    assert answered == []


def test_finished_fires_after_success_and_the_op_is_released(qtbot):
    from PySide6.QtWidgets import QWidget

    from branchdesk.ui.ops import BackgroundOp

    page = QWidget()
    qtbot.addWidget(page)
    got = []
    op = BackgroundOp(page, lambda: 42).success(got.append)
    with qtbot.waitSignal(op.finished, timeout=10_000):
        op.run()
    assert got == [42]
    assert op.parent() is None  # no longer the page's child: released on the UI thread
