"""The cue patterns: the plain words that make a sentence a checkable claim (`reasons_of`), and
those that mark page furniture (calls to action, phone numbers, addresses, copyright, menus and
link labels). The cues are the language of claims in general; none names a symptom or a topic.
"""

from __future__ import annotations

import re

__all__ = [
    "CHROME_SHORT",
    "COPYRIGHT",
    "CTA",
    "FIRST_PERSON",
    "NAV_SEPARATORS",
    "PHONE",
    "STRONG",
    "URL",
    "norm",
    "reasons_of",
]

# Each reason is a plain-words label and a pattern matched against the lower-cased sentence with
# curly quotes straightened. Order here is the order reasons are listed in.
_REASON_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "names a cause",
        r"\b(?:caus(?:e|es|ed|ing)|due to|because|lead(?:s|ing)? to|led to|trigger(?:s|ed|ing)?"
        r"|culprits?|result(?:s|ed|ing)? (?:in|from)|responsible for|linked (?:to|with)"
        r"|associated with|contribut(?:e|es|ed|ing)|risk factors?|factors?|blam(?:e|ed|es)"
        r"|(?:a |the )?sign (?:of|that)|deficien\w*|lack of|not (?:getting )?enough"
        r"|brought on|stem(?:s|med)? from|the (?:real )?(?:problem|issue|reason) is"
        r"|(?:that|this) is why|that's why|this makes|exacerbat\w*|worsen\w*|aggravat\w*"
        r"|malfunction\w*|dysfunction\w*|failure)\b",
    ),
    (
        "gives a number or dose",
        # a quantity (digits, or a number word) and a unit or count; "%" needs no word end
        r"(?:(?<![\d,.])\d[\d,.]*(?:\s*(?:[-\u2013]|to)\s*\d[\d,.]*)?|\b(?:two|three|four"
        r"|five|six|seven|eight|nine|ten|twelve|a few|several|a couple of))\s*(?:%|(?:mg|mcg"
        r"|\u00b5g|g|kg|ml|l|iu|units?|percent|per ?cent|times|hours?|hrs?|minutes?|mins?"
        r"|seconds?|days?|weeks?|months?|years?|mmol|calories|kcal|glass(?:es)?|cups?"
        r"|servings?|tablets?|capsules?|doses?|people|patients|adults|children|participants)\b)"
        r"|\b(?:one|two|three|four|five) (?:in|out of) (?:\w+)\b|\bper day\b|\bdaily dose\b"
        r"|\b(?:twice|three times) (?:a|per) (?:day|week)\b|\bhalf of\b",
    ),
    (
        "says who is at risk",
        r"\b(?:at (?:a )?(?:higher |greater |increased |high |more |lower |low )?risk|risk of"
        r"|prone|more likely|less likely|likelier|susceptib\w*|vulnerab\w*"
        r"|(?:people|those|anyone|someone) (?:with|who)|women|men|children|child|kids|teen\w*"
        r"|infants?|babies|elderly|older (?:people|adults)|the older|as you age|ag(?:e|ing|eing)"
        r"|pregnan\w*|athletes?|runners?|patients?|sufferers?|seniors?|smokers?"
        r"|diabetics?|exempt)\b",
    ),
    (
        "tells the reader what to do",
        # an imperative at the start of the sentence or of a clause, or plain advice words
        r"(?:^|[,;:]\s+|\s[-\u2013\u2014]\s+|\b(?:then|and|or)\s+)"
        r"(?:just |gently |simply |also |please |always |never |first )?"
        r"(?:(?:take|drink|eat|avoid|try|consult|seek|apply|pull|push|bend|elevate|keep"
        r"|make sure|be sure|stay|don't|do not|never|always)\b"
        r"|(?:rest|sleep|walk|use|check|increase|reduce|limit|cut|add|see"
        r"|talk|call|hold|lie|sit|point|raise|flex|warm up|cool down|get|put|wear|ask|give"
        r"|lower|switch|choose|eat)\s+(?:the|your|a|an|some|it|them|to|with|up|down|for|on"
        r"|off|at|more|less|plenty|enough|regularly|gently|slowly|every|each|daily|before"
        r"|after)\b)"
        r"|\b(?:you )?(?:should|must|need to|ought to)\b|\brecommend\w*|\badvis\w*"
        r"|\b(?:it's|it is) (?:best|important|wise|advisable|essential)\b"
        r"|\b(?:see|talk to|consult|ask|call|visit) (?:a|your) (?:doctor|gp|physician"
        r"|pharmacist|health\w*)\b|\bmedical (?:help|attention|advice)\b|\basap\b",
    ),
    (
        "cites research",
        r"\b(?:research\w*|stud(?:y|ies|ied)|trials?|evidence|scientists?|scientific\w*"
        r"|experts?|according to|journals?|data|surveys?|meta-analys\w*|systematic review"
        r"|show(?:s|n|ed)? that|has been shown|have shown|proven|prove[sd]?|found that"
        r"|findings?|observations?|observed|anecdot\w*|theor(?:y|ies)|well[- ]recogni[sz]ed"
        r"|well[- ]known|recogni[sz]ed|doctors (?:say|recommend)|clinical\w*|experiments?"
        r"|myths?)\b",
    ),
    (
        "makes a comparison",
        r"\b(?:than|compared|comparison|versus|vs|rather than|instead of|unlike|as \w+ as"
        r"|just as|the same|no different|difference|differ\w*|superior|inferior|most often"
        r"|main cause|only part|far from|more of a|better|worse|best|worst|higher|lower"
        r"|greater|quicker|faster|slower|stronger|weaker)\b",
    ),
    (
        "claims a cure or relief",
        r"\b(?:reliev\w*|relief|cur(?:e|es|ed|ing)|heal\w*|treat\w*|therap\w*|remed(?:y|ies)"
        r"|fix(?:es)?|solv(?:e|es|ed|ing)|solution|alleviat\w*|eas(?:e|es|ed|ing)"
        r"|help(?:s|ed|ing)?|stop(?:s|ped|ping)?|go(?:es)? away|resolv\w*|effective\w*"
        r"|improv\w*|restor\w*|releas\w*|reprogram\w*|retrain\w*|transform\w*|eliminat\w*"
        r"|get rid|reduc\w*|sooth\w*|recover\w*|benefit\w*|save you|tackl\w*|medicat\w*"
        r"|supplement\w*|medicines?|drugs?|pills?|tablets?|works)\b"
        r"|\b(?:does(?:n't| not)?|do(?:n't| not)|won't|will not|what|that) work\b",
    ),
    (
        "claims prevention",
        r"\b(?:prevent\w*|avoid\w*|ward(?:s|ing)? off|protect\w*|(?:reduce|lower|cut)s? (?:your"
        r"|the) risk|[\w-]{1,30}-free|free from|keep (?:\w+ ){1,2}(?:from|away)"
        r"|never again|no more)\b",
    ),
    (
        "says how serious it is or how long it lasts",
        r"\b(?:last(?:s|ing)? (?:for|about|up to|only|a few|several)|go(?:es)? away|recur\w*"
        r"|come(?:s)? back|coming back|slip back|return\w*|again|persist\w*|chronic"
        r"|temporar\w*|permanent\w*|short-term|long-term|long haul|harmless|benign|serious"
        r"|dangerous|life-threatening|nuisance|severe|painful|excruciating|safe|safely|unsafe"
        r"|harmful|toxic|side effects?)\b",
    ),
    (
        "says when or where it happens",
        r"\b(?:occur\w*|happen\w*|develop\w*|strike(?:s)?|affect\w*|target\w*|appear\w*"
        r"|during|at night|at bedtime|overnight|in the (?:morning|afternoon|evening)"
        r"|(?:before|after) (?:bed|meals?|eating|sleep\w*)|while (?:you )?(?:sleep|rest)\w*"
        r"|usually|often|typically|commonly|common|rarely"
        r"|frequent\w*|locally)\b",
    ),
    (
        "makes an absolute claim",
        r"\b(?:always|never|every(?:one|body)|no one|nobody|nothing but|completely|entirely"
        r"|totally|guarantee\w*|the only|(?:the|a) (?:real|true|root|one) (?:cause|reason"
        r"|solution|cure|answer|fix)|once and for all|for good|forever|certainly|definitely"
        r"|without (?:a )?doubt|no doubt)\b",
    ),
    (
        "explains how the body works",
        r"\b(?:nerv(?:e|es|ous)|neuro\w*|brain|reflex\w*|blood|circulation|oxygen|nutrients?"
        r"|toxins?|waste products?|minerals?|vitamins?|hormon\w*|metaboli\w*"
        r"|contract(?:s|ed|ing|ion|ions)?|relax(?:es|ed|ing|ation)?"
        r"|inflamm\w*|immune|signals?|cells?|tissues?|organs?"
        r"|levels?|imbalances?|process(?:es)?|mechanisms?|break(?:s|ing)? down)\b",
    ),
)
_REASONS = tuple((label, re.compile(rx)) for label, rx in _REASON_PATTERNS)

# Calls to action and page furniture that read like sentences.
CTA = re.compile(
    r"^(?:book|order|buy|shop|subscribe|sign up|click|follow us|share|download|register"
    r"|join us|call us|contact us|schedule (?:a|an|your)|reserve|get in touch|learn more"
    r"|read more|find out more|discover more|visit (?:us|our))\b",
    re.IGNORECASE,
)
PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d ()./-]{7,18}\d(?!\s*(?:mg|mcg|g|ml|%|iu)\b)")
URL = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{2,63}", re.IGNORECASE
)
COPYRIGHT = re.compile(r"\u00a9|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.I)
CHROME_SHORT = re.compile(
    r"(?:learn more|read more|discover more|see more|find out more|\bmore articles"
    r"|more interesting|related (?:posts|articles|pages)|you may also like|book now"
    r"|book online|shop now|buy now|order now|sign up|subscribe|log ?in|sign in|share this"
    r"|share on|follow us|contact us|click here|skip to|back to top|advertisement|sponsored"
    r"|cookies?|privacy policy|terms of|newsletter|add to cart|opening hours|posted by"
    r"|leave a (?:comment|reply)|comments?)\b|^(?:menu|home|search|share|tags?|categories"
    r"|about(?: us)?|blog|services|contact|next|previous|prev|close|top)$",
    re.IGNORECASE,
)
NAV_SEPARATORS = re.compile(r"\s[|\u203a\u00bb>/\u00b7\u2022]\s")


def norm(s: str) -> str:
    """Lower case with curly quotes straightened (same length), for matching cues."""
    return s.translate(_STRAIGHT).lower()


_STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def reasons_of(s: str) -> list[str]:
    """The plain-word reasons a sentence gives for being a checkable claim."""
    n = norm(s)
    return [label for label, rx in _REASONS if rx.search(n)]


# "I", "me", "my": the writer's own story. Kept only with one of the strong reasons.
FIRST_PERSON = re.compile(r"\b(?:i(?!\.[a-z])|i'm|i've|i'd|i'll|me|my|mine|myself)\b")
STRONG = frozenset({"gives a number or dose", "cites research", "tells the reader what to do"})
