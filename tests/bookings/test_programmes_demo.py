"""seed_demo adds a programme allocated down the demo tree, with work waiting for officer@example.com."""

import pytest
from django.core.management import call_command

from bookings import programme_selectors
from bookings.models import Application, ApplicationStatus, Batch, Programme, QuotaAllocation
from facilities.models import RoomNight
from portal.members.models import Member, User


@pytest.mark.django_db
def test_demo_programme():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = [m.objects.count() for m in (Programme, Batch, QuotaAllocation, Application)]
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert [m.objects.count() for m in (Programme, Batch, QuotaAllocation, Application)] == counts

    programme = Programme.objects.get(organisation__name="杭州市总工会")
    batches = list(programme.batches.all())
    assert len(batches) == 3 and {b.sanatorium.name for b in batches} == {"浙江省总工会杭州疗休养院",
                                                                          "江苏省总工会太湖疗休养院"}
    for batch in batches:  # each batch's room block is taken from the sanatorium's nights
        taken = RoomNight.objects.filter(room_type=batch.room_type, date=batch.start_date).get().rooms_taken
        assert taken >= batch.rooms
        names = set(QuotaAllocation.objects.filter(batch=batch).values_list("organisation__name", flat=True))
        assert {"杭州钢铁集团工会", "杭州公交集团工会"} <= names

    officer = User.objects.get(email="officer@example.com")
    waiting = programme_selectors.application_queue(actor=officer)
    assert waiting.count() >= 3
    member = Member.objects.get(user__email="member@example.com")
    assert Application.objects.get(member=member).status == ApplicationStatus.APPROVED
    skilled = Member.objects.select_related("organisation").get(user__email="skilled@example.com")
    programmes = list(programme_selectors.programme_list())
    verdicts = programme_selectors.batch_verdicts(member=skilled, programmes=programmes)
    assert all(verdicts[b.pk].can_apply for b in batches)
    assert not Application.objects.filter(member=skilled).exists()
