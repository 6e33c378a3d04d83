"""`uzart sweep` and `uzart worker`: one pass sends what is due; the worker stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from tests.reminders.conftest import days_before
from uzart.outbox.models import Delivery

pytestmark = pytest.mark.django_db

UZART = str(Path(sys.executable).with_name("uzart"))


def test_uzart_sweep_is_idempotent(travel, certificate_for, capsys):
    certificate_for()
    travel.move_to(days_before(14))
    call_command("sweep")
    call_command("sweep", "--deliver")
    output = capsys.readouterr().out
    assert "reminders sent=1" in output and "reminders sent=0" in output
    assert "deliveries sent=1" in output
    assert len(mail.outbox) == 1


def test_one_worker_pass_sweeps_delivers_and_refreshes_the_crls(travel, certificate_for):
    from uzart import clock
    from uzart.pki.models import CertificateAuthority

    certificate_for()
    travel.move_to(days_before(7))  # the CRLs signed five weeks ago have run out
    assert all(ca.crl_next_update < clock.now() for ca in CertificateAuthority.objects.all())
    call_command("worker", "--once")
    assert Delivery.objects.get().status == "sent"
    assert len(mail.outbox) == 1
    assert all(ca.crl_next_update > clock.now() for ca in CertificateAuthority.objects.all())


def test_the_worker_stops_cleanly_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        UZART_MODE="test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        UZART_DATA_DIR=str(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    subprocess.run([UZART, "migrate", "-v", "0"], env=env, check=True, timeout=300, cwd=tmp_path)
    worker = subprocess.Popen(
        [UZART, "worker", "--interval", "3600", "--poll", "0.2"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert worker.stdout is not None
        first_line = worker.stdout.readline()
        assert "Uzart worker started" in first_line
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Uzart worker stopped" in output


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_delivery_task_enqueued_on_commit_in_the_database_queue(settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from tests.factories import holder
    from uzart.outbox.services import notification_enqueue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = holder()
    with transaction.atomic():
        notification_enqueue(user=user, kind="certificate.active", params={"starts": "1", "ends": "2"})
        assert not DBTaskResult.objects.exists()  # enqueued only once the notification is committed
    task = DBTaskResult.objects.get()
    assert task.task_path == "uzart.outbox.tasks.deliver_due"
    call_command("worker", "--once")
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [[user.email]]
