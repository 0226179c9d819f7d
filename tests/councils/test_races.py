"""Topic moves that race: two moves of one version at once, one wins and the other is told 409
with the stored topic; the history holds one move (docs/councils.md)."""

import pytest

from apps.councils.models import Topic
from tests.factories.accounts import token_key
from tests.factories.councils import make_topic
from tests.rights.test_cases_races import run_together

TOPICS = "/api/v1/councils/topics/"


@pytest.mark.django_db(transaction=True)
def test_racing_moves_of_one_version_one_wins_the_other_is_told(tree, user_in):
    user = user_in(tree.village_a1, "station_operator")
    topic = make_topic(tree.village_a1)
    url = f"{TOPICS}{topic.pk}/transition/"
    moves = [
        {"to": "accepted", "version": topic.version},
        {"to": "not_adopted", "version": topic.version, "not_adopted_reason": "不属于议事范围"},
    ]
    requests = [lambda client, body=body: client.post(url, body, format="json") for body in moves]

    waiting, answers = run_together(
        token_key(user),
        requests,
        "SELECT 1 FROM councils_topic WHERE id = %s FOR UPDATE",
        [topic.pk],
    )

    assert waiting == 2  # both moves were inside the database at once
    assert sorted(status for status, _ in answers) == [200, 409]
    winner = next(answer for status, answer in answers if status == 200)
    loser = next(answer for status, answer in answers if status == 409)
    stored = Topic.objects.get(pk=topic.pk)
    assert stored.status == winner["status"] == loser["current"]["status"]
    assert stored.history.count() == 2  # raised, then the one move
