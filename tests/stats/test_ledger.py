import datetime

import pytest

from portal.stats.models import ServiceRecord
from portal.stats.services import service_record_add


@pytest.mark.django_db
def test_a_source_is_counted_once(orgs, member):
    kwargs = dict(source=member, day=datetime.date(2026, 5, 1), organisation=orgs["unit"], kind="walk_in",
                  channel="offline", member=member, persons=3)
    first = service_record_add(**kwargs)
    second = service_record_add(**kwargs)
    assert first.pk == second.pk
    assert ServiceRecord.objects.count() == 1


@pytest.mark.django_db
def test_member_categories_are_copied_at_the_time(orgs):
    from tests import factories

    model_worker = factories.member(organisation=orgs["unit"], model_worker_level="national", skilled_worker=True)
    record = service_record_add(source=model_worker, day=datetime.date(2026, 5, 1), organisation=orgs["unit"],
                                kind="activity", channel="online", member=model_worker)
    model_worker.model_worker_level = "none"
    model_worker.save()
    record.refresh_from_db()
    assert record.model_worker and record.skilled_worker and record.persons == 1
