"""What is an action item or a follow-up and what is not: narration of the meeting, proposals, goodbyes,
generic "you" and the like against tasks for later and further contact, on constructed sentences."""

from __future__ import annotations

import pytest

from tests.intel.conversation import conversation, one


def test_meeting_narration_scores_under_the_default_threshold() -> None:
    assert not [i for i in conversation(("Alice", "I'll just show you the slides.")) if i.type != "question"]
    assert not conversation(("Alice", "Let's see."))


@pytest.mark.parametrize(
    "text", ["I will see you after the lunch break.", "We'll see you tomorrow at the demo."]
)
def test_a_goodbye_is_not_an_action_item(text: str) -> None:
    assert not [i for i in conversation(("Alice", text)) if i.type != "question"]


@pytest.mark.parametrize(
    "text",
    [
        "We should use infrared.",  # a proposal about the product, under discussion
        "Use big clear buttons.",
        "Let me get that.",  # an act of the moment
        "So I'm gonna have to redraw this now.",
        "How many channels do we have to prepare for?",  # asks for information
        "what else can you send me",  # the same, unpunctuated
        "We need to examine this.",  # no one, no task, no time: a general statement
        "Let's make those four.",
        "We've been trying to work on the funding.",  # what has gone on so far
        "I'll answer this in English.",
        "Can I ask you a question?",
        "I'm just gonna bring up the idea of colours.",  # narrates the meeting
        "So, I would reiterate what we say in our report.",
        "So you'd have to figure out the wiring.",  # what anyone would do
        "Want to do Vista,",  # "(do you) want to ...": not an order, and Vista is no one's name
        'So "pay a visit".',  # a phrase mentioned, not said to anyone
        "I'll just walk you through them.",  # a presentation in the meeting
        "I'm gonna inform you about the trend-watching I've done.",
        "I will show that in a few minutes.",  # a due time, but within the meeting
        "I'll take the mouse.",
        "First of all I want to ask Ed about your marketing plan.",
        "The manufacturing department can deliver a double curved case.",  # what it is able to do
        "I think we will meet the requirements.",  # meeting a target is no further contact
        "When you can buy it in the shop, it is cheaper.",  # no question: "when" is no request here
        "We have to come up with something totally new.",  # a proposal about the product
        "The product will be shipped in a box.",  # a passive that passes nothing on to anyone
        "When you push the button, it will be sent to the chip.",  # a signal, not a message to people
        "You can always phone your phone.",  # "you" is anyone
        "And then you can buy the covers.",  # the product's user
        "Of course you'll make money too.",
        "I want to remind everyone that the session is recorded.",  # said to those present, now
        "I'll take that as a yes.",
        "The Liberals have to pay that money back.",  # a party, no one in the meeting
        "Please note that today's proceedings will be televised.",
        "If you can add those in, then you can cut the data rate in half.",  # a real condition
        "Today I'd like to thank all the volunteers.",  # done by saying it
        "And you'll pick one of those for",  # broken off before the task is said
        "I can assure the member that the plans are in place.",
        "I hope this week all Canadians will take a moment to thank a paramedic.",  # a people, no one here
        "I think you could use infrared.",  # a proposal, not "do you think you could ...?"
        "You lose it and you can ring it.",  # a joined clause that commits no one
        "Our task is to design a new remote control.",  # the project itself, not its next step
        "Don't send it yet.",
        "I'd like to see the next slide.",  # the meeting's own business, said to no one
        "I'll keep that in mind.",
        "Can I just ask whether you've got any views on the budget?",  # a question, no task
        "So we could get it down to what?",  # "to what" is no one to send it to
        "I'm gonna write up our results on the board.",  # the meeting's own display
        "Please go to the next slide.",
        "Please bear with me.",
        "So today I'd like to walk you through the new pricing.",  # the meeting's day, not a deadline
        "That's something we talked about.",
        "It's a good idea to check the figures.",  # nobody's job
    ],
)
def test_proposals_acts_of_the_moment_and_questions_for_information_are_not_action_items(text: str) -> None:
    assert not [i for i in conversation(("Alice", text), ("Bob", "Okay.")) if i.type != "question"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Send me the contract.", "follow_up"),
        ("Let me send you the deck.", "follow_up"),
        ("We should find out what the batteries cost.", "action_item"),
        ("I'll look into the battery prices.", "action_item"),
        ("I'm quite happy to look into that.", "action_item"),
        ("I'd be happy to send you the deck.", "follow_up"),
        ("I'll ask Srini about the other packages.", "follow_up"),
        ("Do it via e-mail.", "follow_up"),
        ("I could put it in the shared folder.", "action_item"),
        ("I'll bring up the contract with legal.", "follow_up"),
        ("Would you send me the file?", "follow_up"),
        ("I haven't gotten an agenda yet, I'll put that together.", "action_item"),
        ("We'll meet the client next week.", "follow_up"),
        ("When can you send me the figures?", "follow_up"),  # asking when takes the task for granted
        ("So by when do you think you can give me a project plan?", "action_item"),
        ("What I'd like you to do is prepare the slides for next time.", "action_item"),
        ("So, by next meeting, please come up with the prototype.", "action_item"),
        ("Keep Ed in the loop.", "follow_up"),
        ("Further instructions will be sent by your personal coach.", "follow_up"),  # announced
        ("I'll have to uh research.", "action_item"),  # the filler gets "research" parsed as a noun
        ("The industrial designer will focus on the components concept.", "action_item"),  # their part
        ("Mark will be focused on the user interface concept.", "action_item"),
        (
            "So if you would look at that and let us know what you think.",
            "action_item",
        ),  # polite, no condition
        ("If you can get me that example, that would be helpful.", "action_item"),
        ("So I'll I'll take a closer look at it.", "action_item"),  # a restart
        ("Let me look at it again.", "action_item"),  # examining it after the meeting
        ("Barry's going to be continuing working on the multi-band features.", "action_item"),
        ("I don't know, but I'll find out by Friday.", "action_item"),  # joined to a clause with none
        ("I promise to get you the numbers by Monday.", "action_item"),
        ("I commit to asking my officials to review it.", "follow_up"),
        ("User Interface Designer, I would like to see the user interface concept.", "action_item"),
        ("Our next step is for Tom to call the supplier.", "follow_up"),
        ("The action item is to check the budget.", "action_item"),
        ("Our homework is to read the paper.", "action_item"),
        ("Would you mind sending me the link?", "follow_up"),
        ("Do you think you could prepare a short demo?", "action_item"),
        ("I was hoping you could look over the draft.", "action_item"),
        ("I'll try to have it done by end of day.", "action_item"),
        ("Remember to bring the prototype next time.", "action_item"),
        ("Don't forget to email the client.", "follow_up"),
        ("I'm sure you will do some trend watching.", "action_item"),
        ("I'd ask that you finish the design by Friday.", "action_item"),
        ("Can I get you to send me the file?", "follow_up"),
        ("Could I ask you to review the draft?", "action_item"),
        ("I'd appreciate it if you could send the figures.", "follow_up"),
        ("Shall I send you the minutes?", "follow_up"),  # an offer
        ("Can we set up a call for Tuesday?", "follow_up"),
        ("I'll be in touch next week.", "follow_up"),
        ("I want everyone to read the report before Monday.", "action_item"),
        ("It's your job to check the figures.", "action_item"),
        ("That's something we need to look into.", "action_item"),
        ("I think I had better look at it again.", "action_item"),  # the parser hangs "I" from "had"
        ("The committee will write to the minister.", "follow_up"),
        ("We'll get that to you.", "follow_up"),
        ("I'll chase that up with Kevin after this call.", "follow_up"),
        ("I'll put it in the calendar.", "follow_up"),  # scheduling
        ("Can you write up what you found so far?", "action_item"),  # not "on the board"
        ("Please review the contract.", "action_item"),  # "please" asks; a bare imperative may instruct
        ("If it still happens, please reply to the confirmation email.", "follow_up"),  # condition first
    ],
)
def test_follow_ups_and_tasks_for_later_pass_the_default_threshold(text: str, kind: str) -> None:
    assert one(kind, conversation(("Alice", text), ("Bob", "Okay."))).score >= 0.5


def test_let_me_know_asks_the_addressee_to_tell() -> None:
    item = one("follow_up", conversation(("Alice", "Let me know by Friday."), ("Bob", "Will do.")))
    assert item.score >= 0.5 and item.assignee is not None and item.assignee.name == "Bob"
    assert item.dueBy is not None


def test_filing_a_work_product_is_work_not_narration() -> None:
    filed = one("action_item", conversation(("Alice", "I will put the minutes in the project folder.")))
    assert filed.score >= 0.8
    assert not [i for i in conversation(("Alice", "I will put it on the board.")) if i.type != "question"]


@pytest.mark.parametrize(
    "text",
    ["Can you see it?", "Can you see my screen?", "Can everyone see my screen now?", "Can you see me?"],
)
def test_checking_what_the_call_shows_is_no_task(text: str) -> None:
    assert not [i for i in conversation(("Alice", text), ("Bob", "Yes.")) if i.type != "question"]


@pytest.mark.parametrize(
    "text",
    [
        "Can you unmute yourself?",
        "Could you mute yourself please?",
        "Can you scroll down?",
        "Could you zoom in a bit?",
        "Can you put the link in the chat?",
        "I'll drop the link in the chat.",
        "I'll put it in the chat.",
        "Can you spell your last name?",  # said there and then
        "Can you read me the order number?",
    ],
)
def test_working_the_call_itself_is_no_task(text: str) -> None:
    assert not [i for i in conversation(("Alice", text), ("Bob", "Sure.")) if i.type != "question"]


@pytest.mark.parametrize(
    "text", ["Could you see whether the invoice went out?", "Can you see if the build passes?"]
)
def test_seeing_whether_is_checking(text: str) -> None:
    assert one("action_item", conversation(("Alice", text), ("Bob", "Sure."))).score >= 0.5


@pytest.mark.parametrize(
    "text", ["Let's see if this works.", "So let's just see if it fits.", "We'll see if it works."]
)
def test_lets_see_is_the_meeting_trying_things(text: str) -> None:
    assert not [i for i in conversation(("Alice", text)) if i.type != "question"]


@pytest.mark.parametrize("text", ["I'll open a ticket for this.", "Could you read the report before Friday?"])
def test_a_support_ticket_and_reading_for_later_are_tasks(text: str) -> None:
    assert one("action_item", conversation(("Alice", text), ("Bob", "Sure."))).score >= 0.8


@pytest.mark.parametrize(
    "text", ["Let's put a chat in the diary for next week.", "I'll set up a chat with Tom next week."]
)
def test_a_chat_to_arrange_is_still_a_follow_up(text: str) -> None:
    assert one("follow_up", conversation(("Alice", text))).score >= 0.5


def test_seeing_someone_else_is_still_an_action_item() -> None:
    assert one("action_item", conversation(("Alice", "I'll see the client tomorrow."))).score >= 0.5
    asked = conversation(("Alice", "Can you see Tom about the budget tomorrow?"), ("Bob", "Sure."))
    assert one("action_item", asked).score >= 0.5


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I'll send the deck to the team.", "send the deck to the team"),
        ("Let's schedule a call next week.", "schedule a call"),
        ("Let's circle back on this after the meeting.", "circle back on this after the meeting"),
        ("Please reach out to the vendor.", "reach out to the vendor"),
        ("I will set up a meeting with the client.", "set up a meeting with the client"),
    ],
)
def test_further_contact_is_a_follow_up_not_an_action_item(text: str, phrase: str) -> None:
    found = conversation(("Alice", text), ("Bob", "Great."))
    item = one("follow_up", found)
    assert not [i for i in found if i.type == "action_item"]
    assert [p.text for p in item.phrases] == [phrase]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        (
            "User Interface Designer, I would like to see the user interface concept.",
            "User Interface Designer",
        ),
        ("Our next step is for Tom to call the supplier.", "Tom"),
        ("It's Anna's job to book the room.", "Anna"),
        ("Let's get Bob to look at the contract tomorrow.", "Bob"),
    ],
)
def test_an_assignment_said_to_a_role_or_a_name_is_theirs(text: str, who: str) -> None:
    found = [i for i in conversation(("Alice", text), ("Bob", "Okay.")) if i.type != "question"]
    assert len(found) == 1 and found[0].assignee is not None and found[0].assignee.name == who
