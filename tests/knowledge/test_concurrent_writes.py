"""Two clients write the same version of a record at the same moment: exactly one write
goes through and the other is refused, through the API (If-Match) and the admin change form
(its version token). Real threads and transactions, so PostgreSQL only."""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.knowledge.models import Norm
from tests.factories import NormFactory
from tests.knowledge.workflow.admin_forms import change_form_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PAIRS = 50


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


def _in_parallel(*calls):
    """Run `calls` in threads released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def editors(django_user_model):
    """Two API clients of users who may publish (their edits go live at once)."""
    clients = []
    for name in ("ada", "bea"):
        user = django_user_model.objects.create_user(name, password=f"pw-{name}-1")
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="knowledge",
                codename__in=["change_norm", "publish_norm"],
            )
        )
        client = APIClient()
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients.append(client)
    return clients


@pytest.mark.parametrize("method", ["patch", "put"])
def test_concurrent_api_writes_with_one_etag_lose_nothing(editors, method):
    NormFactory(slug="consent", name="Consent", draft=True)
    url = reverse("api:norm-detail", kwargs={"slug": "consent"})
    first, second = editors
    for pair in range(PAIRS if method == "patch" else PAIRS // 5):
        shown = first.get(url)
        body = {k: shown.json()[k] for k in ("slug", "conception", "summary")}
        body["citations"] = [
            {
                "source": c["source"]["slug"],
                "claim": c["claim"],
                "locator": c["locator"],
            }
            for c in shown.json()["citations"]
        ]
        etag = shown["ETag"]

        def write(client, name, etag=etag, body=body):
            return getattr(client, method)(
                url, {**body, "name": name}, format="json", HTTP_IF_MATCH=etag
            )

        a, b = _in_parallel(
            lambda pair=pair: write(first, f"A{pair}"),
            lambda pair=pair: write(second, f"B{pair}"),
        )
        codes = sorted([a.status_code, b.status_code])
        assert codes == [200, 412], (pair, a.content, b.content)
        winner = a if a.status_code == 200 else b
        assert Norm.objects.get(slug="consent").name == winner.json()["name"]


@pytest.fixture
def editor_clients(django_user_model):
    clients = []
    for name in ("edith", "emil"):
        # Superusers: the transactional test database has no migration-made groups.
        user = django_user_model.objects.create_superuser(
            name, f"{name}@example.org", f"pw-{name}-1"
        )
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_concurrent_admin_saves_of_one_version_lose_nothing(editor_clients):
    norm = NormFactory(slug="consent", name="Consent", draft=True)
    url = reverse("admin:knowledge_norm_change", args=[norm.pk])
    first, second = editor_clients
    for pair in range(PAIRS // 2):
        page_a, page_b = first.get(url), second.get(url)
        data_a = change_form_data(page_a, name=f"A{pair}")
        data_b = change_form_data(page_b, name=f"B{pair}")
        a, b = _in_parallel(
            lambda data=data_a: first.post(url, data),
            lambda data=data_b: second.post(url, data),
        )
        saved = [r for r in (a, b) if r.status_code == 302]
        refused = [r for r in (a, b) if r.status_code == 200]
        assert len(saved) == 1, (pair, [r.status_code for r in (a, b)])
        assert len(refused) == 1
        assert "after you opened it" in refused[0].content.decode()
        name = Norm.objects.get(pk=norm.pk).name
        assert name == (f"A{pair}" if a in saved else f"B{pair}")
