"""Parley's small sentiment lexicon: word -> valence from -4 (very negative) to +4 (very positive).

Kept as Python data so it ships inside the package with no package-data rule. Scores were set by hand for
words that carry feeling in meetings and calls; words whose sense depends on the domain ("cheap",
"aggressive") are left out on purpose. Inflected forms are listed where they are common.
"""

from __future__ import annotations

_SCORED_WORDS = """
good 1.9 great 3.1 excellent 3.2 amazing 3.1 awesome 3.1 fantastic 3.3 wonderful 3.2 brilliant 3.0
perfect 2.9 nice 1.8 fine 0.8 happy 2.7 glad 2.0 pleased 2.1 delighted 3.0 excited 2.4 exciting 2.3
love 3.1 loved 2.9 loves 2.8 lovely 2.8 liked 1.4 enjoy 2.2 enjoyed 2.2 enjoying 2.1 fun 2.3 thanks 1.9
thank 1.7 thankful 2.2 grateful 2.3 appreciate 2.0 appreciated 2.1 helpful 1.9 useful 1.6 success 2.7
successful 2.7 succeed 2.2 succeeded 2.3 win 2.7 won 2.4 winning 2.4 wins 2.5 best 3.0 better 1.9
improve 1.8 improved 2.0 improvement 1.9 improving 1.7 easy 1.8 easier 1.6 clear 1.2 clean 1.4
smooth 1.5 solid 1.4 strong 1.6 stronger 1.5 impressive 2.6 impressed 2.5 cool 1.5 agree 1.4 agreed 1.4
yes 0.6 sure 0.6 okay 0.4 ok 0.4 correct 1.1 works 1.1 working 0.7 worked 1.1 welcome 2.0
congratulations 2.9 congrats 2.7 proud 2.2 confident 2.0 hope 1.6 hopeful 1.9 hopefully 1.4 positive 2.2
beautiful 2.9 favourite 2.0 favorite 2.0 interesting 1.7 interested 1.7 fair 1.2 safe 1.5 secure 1.4
reliable 1.8 fast 1.2 faster 1.3 quick 1.0 efficient 1.8 effective 1.8 valuable 2.1 benefit 1.8
benefits 1.8 advantage 1.6 profit 1.6 profitable 1.9 gain 1.5 growth 1.4 opportunity 1.6 recommend 1.5
satisfied 2.0 satisfying 2.0 satisfaction 2.0 relief 1.7 relieved 1.8 support 1.3 supportive 1.9
trust 1.9 wow 2.3 yay 2.4 cheers 1.6 exceptional 3.0 superb 3.1 outstanding 3.1 incredible 2.9
terrific 3.0 solved 1.6 fixed 1.2 resolved 1.5 ready 0.8 calm 1.3 friendly 2.0 polite 1.5 smart 1.7
clever 1.8 creative 1.8 innovative 1.9 promising 1.9 bad -2.5 terrible -3.1 awful -3.1 horrible -3.2
poor -2.1 worse -2.2 worst -3.1 hate -2.9 hated -2.9 hates -2.7 dislike -1.8 sad -2.1 unhappy -2.2
angry -2.7 annoyed -2.0 annoying -2.2 annoys -2.0 upset -2.1 frustrated -2.2 frustrating -2.3
frustration -2.2 disappointed -2.3 disappointing -2.4 disappointment -2.3 worried -1.8 worry -1.5
worrying -1.8 concern -1.2 concerned -1.5 concerns -1.2 problem -1.6 problems -1.6 issue -0.9
issues -0.9 trouble -1.8 difficult -1.4 difficulty -1.4 hard -0.9 fail -2.3 failed -2.3 fails -2.2
failing -2.2 failure -2.5 broken -2.0 crash -2.0 crashed -2.2 crashes -2.0 crashing -2.1 bug -1.4
bugs -1.4 error -1.6 errors -1.6 wrong -2.0 mistake -1.8 mistakes -1.8 slow -1.3 slower -1.3 delay -1.3
delayed -1.4 delays -1.3 late -1.0 expensive -1.4 loss -1.9 lose -1.8 lost -1.7 losing -1.8 risk -1.1
risky -1.5 danger -2.2 dangerous -2.3 unfortunately -1.7 unfortunate -1.8 sorry -1.0 complain -1.8
complaint -1.9 complaints -1.9 complained -1.8 confused -1.4 confusing -1.6 mess -1.9 messy -1.6
ugly -2.3 useless -2.5 pointless -2.2 waste -2.0 wasted -2.1 stupid -2.4 ridiculous -2.1 nonsense -1.9
boring -1.6 tired -1.4 stress -1.8 stressed -1.9 stressful -2.0 unacceptable -2.6 impossible -1.6
painful -2.2 pain -2.0 hurt -2.1 damage -2.0 damaged -2.1 blame -1.8 fear -2.2 afraid -1.9 scared -2.0
nervous -1.4 panic -2.4 disaster -3.1 catastrophe -3.2 crisis -2.4 fault -1.6 weak -1.5 weaker -1.5
unclear -1.1 unreliable -2.0 unstable -1.6 unhelpful -1.9 negative -1.8 reject -1.5 rejected -1.7
refuse -1.5 refused -1.6 cancel -1.0 cancelled -1.2 canceled -1.2 nobody -0.4 disagree -1.4 angrily -2.2
hopeless -2.7 miserable -2.9 furious -3.0 shame -1.9 shocking -2.0 sucks -2.4 suck -2.2 lousy -2.4
mediocre -1.3 overdue -1.3 behind -0.5 missing -0.8 missed -1.0 complicated -1.1 blocked -1.3
blocker -1.4
"""
_ENTRIES = _SCORED_WORDS.split()

LEXICON: dict[str, float] = {
    word: float(score) for word, score in zip(_ENTRIES[::2], _ENTRIES[1::2], strict=True)
}

# Words that strengthen (positive) or soften (negative) the next sentiment word.
BOOSTERS: dict[str, float] = {
    "very": 0.3, "really": 0.3, "extremely": 0.4, "incredibly": 0.4, "so": 0.25, "super": 0.3,
    "totally": 0.3, "absolutely": 0.35, "completely": 0.3, "highly": 0.3, "truly": 0.3, "quite": 0.15,
    "most": 0.25, "more": 0.15, "especially": 0.25, "particularly": 0.25,
    "slightly": -0.3, "somewhat": -0.25, "barely": -0.35, "hardly": -0.35, "kinda": -0.25,
    "partly": -0.25, "marginally": -0.3, "little": -0.2, "bit": -0.2,
}  # fmt: skip

_NEGATION_WORDS = (
    "not no never none nobody nothing neither nor without cannot can't don't doesn't didn't isn't aren't "
    "wasn't weren't won't wouldn't shouldn't couldn't haven't hasn't hadn't ain't n't"
)
NEGATIONS: frozenset[str] = frozenset(_NEGATION_WORDS.split())
