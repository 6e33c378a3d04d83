"""Every page of the service × every role, with a real renewal request in the system.

Each row says what anonymous, the request's holder, a holder of another company, the company's accountant,
a specialist and an administrator get. 302 for anonymous is the login redirect; 404 hides another
company's objects; 403 refuses a role.
"""

from __future__ import annotations

import pytest

from tests.factories import CompanyFactory, holder, operator_admin
from tests.renewals.conftest import PIN
from uzart.accounts.models import Membership
from uzart.renewals import services

ROLES = ("anonymous", "holder", "other_holder", "accountant", "specialist", "admin")

# page template -> expected status per role, in ROLES order
WALK = {
    "/": (302, 302, 302, 302, 302, 302),
    "/me/": (302, 200, 200, 200, 403, 403),
    "/renew/": (302, 302, 404, 404, 403, 403),  # the holder's open request redirects to its status
    "/renew/changed/": (302, 302, 404, 404, 403, 403),
    "/renewals/": (302, 200, 200, 200, 403, 403),
    "/renewals/{number}/": (302, 200, 404, 404, 403, 403),
    "/operator/renewals/": (302, 403, 403, 403, 200, 200),
    "/operator/renewals/{number}/": (302, 403, 403, 403, 200, 200),
    "/operator/renewals/{number}/request.pdf": (302, 403, 403, 403, 200, 200),
    "/operator/renewals/office/": (302, 403, 403, 403, 200, 200),
    "/billing/company/{company}/": (302, 200, 403, 200, 403, 403),
    "/billing/company/{company}/statement.csv": (302, 200, 403, 200, 403, 403),
    "/billing/operator/": (302, 403, 403, 403, 200, 200),
    "/billing/operator/company/{company}/": (302, 403, 403, 403, 200, 200),
    "/billing/operator/company/{company}/statement.csv": (302, 403, 403, 403, 200, 200),
    "/notifications/": (302, 200, 200, 200, 200, 200),
    "/options/": (302, 200, 200, 200, 200, 200),
    "/operator/deliveries/": (302, 403, 403, 403, 200, 200),
    "/operator/": (302, 403, 403, 403, 200, 200),
    "/operator/companies/new/": (302, 403, 403, 403, 200, 200),
    "/admin/": (302, 302, 302, 302, 302, 200),
    "/admin/keystore/cloudkey/": (302, 302, 302, 302, 302, 200),
    "/api/v1/tokens/manage/": (302, 200, 200, 200, 200, 200),
    "/pki/ca.pem": (200, 200, 200, 200, 200, 200),
    "/login/": (200, 302, 302, 302, 302, 302),
}


@pytest.mark.django_db
def test_every_page_answers_every_role_as_the_table_says(client, world):
    request, _ = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="w" * 32, details_confirmed=True
    )
    users = {
        "anonymous": None,
        "holder": world.holder,
        "other_holder": holder(company=CompanyFactory()),
        "accountant": holder(company=world.company, role=Membership.Role.ACCOUNTANT),
        "specialist": world.specialist,
        "admin": operator_admin(),
    }
    mismatches = []
    for template, expected in WALK.items():
        page = template.format(number=request.number, company=world.company.pk)
        for role, status in zip(ROLES, expected, strict=True):
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            response = client.get(page)
            if response.status_code != status:
                mismatches.append(f"{page} as {role}: {response.status_code}, expected {status}")
            if role == "anonymous" and status == 302:
                assert "/login/" in response["Location"] or page == "/admin/" or page.startswith("/admin/")
            if role == "other_holder":
                # A holder of another company never sees the request, its number or its holder.
                body = response.content.decode(errors="replace")
                assert world.holder.full_name not in body, (page, role)
                if request.number not in page:  # the page's own address is echoed in the language form
                    assert request.number not in body, (page, role)
    assert not mismatches, "\n".join(mismatches)
    request.refresh_from_db()
    assert request.status == "submitted"
