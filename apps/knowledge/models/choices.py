"""The coding scheme: every enumeration a curator codes a record with.

Each TextChoices class carries `DEFINITIONS`, shown as help in the admin and generated into
the public coding-scheme page, so the scheme has one source of truth.
"""

from typing import ClassVar

from django.db import models


class DefinedChoices(models.TextChoices):
    """Choices whose values each carry a definition (assigned after the class: in an
    enumeration's body a dict would become one more member)."""

    DEFINITIONS: ClassVar[dict[str, str]]


class Conception(DefinedChoices):
    GLOSSARY_SLUGS: ClassVar[dict[str, str]]

    WESTPHALIAN = "westphalian", "Westphalian"
    POST_WESTPHALIAN = "post_westphalian", "Post-Westphalian"
    MIXED = "mixed", "Mixed"


Conception.DEFINITIONS = {
    "westphalian": "Keeps order between states: works with the consent of the parties and "
    "leaves their internal government alone, creating room for them to settle disputes.",
    "post_westphalian": "Reshapes governance inside a state (elections, rule of law, human and "
    "minority rights, administration) on the view that liberal democracies make stable peace.",
    "mixed": "Does both, or drifts from one to the other within the period judged.",
}
# The glossary entries for the two orders (data/concepts/): their pages and the
# definitions on /compare/ link to each other.
Conception.GLOSSARY_SLUGS = {
    "westphalian": "westphalian-order",
    "post_westphalian": "post-westphalian-order",
}


class NormConception(DefinedChoices):
    WESTPHALIAN = "westphalian", "Westphalian"
    POST_WESTPHALIAN = "post_westphalian", "Post-Westphalian"
    CONTESTED = "contested", "Contested"


NormConception.DEFINITIONS = {
    "westphalian": "Protects states and their independence from outside interference.",
    "post_westphalian": "Makes how a state treats its people a legitimate concern of others.",
    "contested": "Read in both ways, or a battleground between the two conceptions.",
}


class SourceKind(models.TextChoices):
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    ARTICLE = "article", "Journal article"
    REPORT = "report", "Report"
    WEBPAGE = "webpage", "Essay or web page"
    OFFICIAL = "official", "Official document"
    DATASET = "dataset", "Dataset"


class OrganisationKind(models.TextChoices):
    UNIVERSAL = "universal", "Universal organisation"
    REGIONAL = "regional", "Regional organisation"
    ALLIANCE = "alliance", "Military alliance"
    ORGAN = "organ", "Organ or institution of an organisation"
    STATE = "state", "State"
    COALITION = "coalition", "Coalition of states"
    NGO = "ngo", "Non-governmental organisation"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    CHARTER = "charter", "Charter"
    TREATY = "treaty", "Treaty"
    FINAL_ACT = "final_act", "Final act"
    CONCLUDING_DOCUMENT = "concluding_document", "Concluding document"
    DECLARATION = "declaration", "Declaration"
    RESOLUTION = "resolution", "Resolution"
    DECISION = "decision", "Decision"
    REPORT = "report", "Report"
    AGREEMENT = "agreement", "Agreement"
    LAW = "law", "Law"
    OTHER = "other", "Other"


class ConflictType(DefinedChoices):
    INTER_STATE = "inter_state", "Inter-state"
    INTRA_STATE = "intra_state", "Intra-state"
    INTERNATIONALISED = "internationalised", "Internationalised intra-state"
    EXTRA_STATE = "extra_state", "Extra-state (colonial)"


ConflictType.DEFINITIONS = {
    "inter_state": "Between the governments of two or more states.",
    "intra_state": "Within one state: a government against rebels, or groups against each other.",
    "internationalised": "An intra-state conflict in which other states take part with troops.",
    "extra_state": "A state against a people outside its own territory, as in colonial wars.",
}


class MissionType(DefinedChoices):
    OBSERVATION = "observation", "Observer mission"
    TRADITIONAL = "traditional_peacekeeping", "Traditional peacekeeping"
    MULTIDIMENSIONAL = "multidimensional_peacekeeping", "Multidimensional peacekeeping"
    TRANSITIONAL_ADMINISTRATION = (
        "transitional_administration",
        "Transitional administration",
    )
    PEACE_ENFORCEMENT = "peace_enforcement", "Peace enforcement"
    PREVENTIVE = "preventive_deployment", "Preventive deployment"
    LONG_DURATION = "long_duration_mission", "Long-duration (field) mission"
    FACT_FINDING = "fact_finding", "Fact-finding, rapporteur or expert mission"
    MILITARY_INTERVENTION = "military_intervention", "Military intervention"
    STABILISATION = "stabilisation_force", "Stabilisation force"
    POLITICAL = "political_mission", "Political mission"
    OTHER = "other", "Other"


MissionType.DEFINITIONS = {
    "observation": "Unarmed or lightly armed officers who watch and report on an agreement.",
    "traditional_peacekeeping": "Lightly armed forces placed between states or parties with "
    "their consent, to keep a ceasefire while a settlement is sought.",
    "multidimensional_peacekeeping": "Military, police and civilian components that help "
    "implement a comprehensive settlement, often including elections and institutions.",
    "transitional_administration": "The mission itself governs a territory for a time.",
    "peace_enforcement": "Force used to impose the will of the authorising body on a party.",
    "preventive_deployment": "Deployed before fighting breaks out, to deter it.",
    "long_duration_mission": "A small civilian field presence (typically CSCE/OSCE) working "
    "with a host government over months or years on prevention and governance.",
    "fact_finding": "A short visit by rapporteurs or experts to establish facts and advise.",
    "military_intervention": "Armed intervention by a state or coalition without the host "
    "government's consent.",
    "stabilisation_force": "A multinational force keeping security after a war or intervention.",
    "political_mission": "A mainly civilian mission supporting a political process.",
    "other": "None of the above.",
}


class HostConsent(DefinedChoices):
    ALL_PARTIES = "all_parties", "Consent of all main parties"
    HOST_GOVERNMENT = "host_government", "Consent of the host government only"
    CONTESTED = "contested", "Partial, contested or coerced consent"
    NONE = "none", "No consent"
    NOT_APPLICABLE = "not_applicable", "Not applicable (no host authority)"


HostConsent.DEFINITIONS = {
    "all_parties": "The host state and the main parties to the conflict agreed to the mission.",
    "host_government": "The government agreed; armed opponents did not, or were not asked.",
    "contested": "Consent was partial, withdrawn, or obtained under pressure.",
    "none": "The mission deployed against the will of the host government.",
    "not_applicable": "There was no effective authority able to consent.",
}


class UseOfForce(DefinedChoices):
    NONE = "none", "Unarmed"
    SELF_DEFENCE = "self_defence", "Self-defence only"
    DEFENCE_OF_MANDATE = "defence_of_mandate", "Self-defence and defence of the mandate"
    ENFORCEMENT = "enforcement", "Enforcement"


UseOfForce.DEFINITIONS = {
    "none": "Personnel carry no weapons.",
    "self_defence": "Force only to protect the mission's own personnel.",
    "defence_of_mandate": "Force also to stop attempts to prevent the mission doing its job.",
    "enforcement": "Force to compel a party, authorised as such.",
}


class Impartiality(DefinedChoices):
    IMPARTIAL = "impartial", "Impartial between the parties"
    PRINCIPLED = "principled", "Impartial in applying the mandate"
    PARTIAL = "partial", "Partial to one side"


Impartiality.DEFINITIONS = {
    "impartial": "Treats the parties alike and takes no view of their claims.",
    "principled": "Applies the mandate or agreed standards to all, even if that hurts one party.",
    "partial": "Acts for one party against another.",
}


class LegalBasis(DefinedChoices):
    UN_CHAPTER_VI = "un_chapter_vi", "UN Charter, Chapter VI (consensual)"
    UN_CHAPTER_VII = "un_chapter_vii", "UN Charter, Chapter VII (enforcement)"
    UN_GENERAL_ASSEMBLY = "un_general_assembly", "UN General Assembly resolution"
    REGIONAL_ARRANGEMENT = "regional_arrangement", "Regional arrangement (Chapter VIII)"
    CSCE_DECISION = "csce_decision", "CSCE/OSCE decision with the host's agreement"
    HOST_INVITATION = "host_invitation", "Invitation of the host state"
    PEACE_AGREEMENT = "peace_agreement", "Peace agreement between the parties"
    NONE = "none", "No international authorisation"


LegalBasis.DEFINITIONS = {
    "un_chapter_vi": "Authorised by the Security Council with the parties' consent.",
    "un_chapter_vii": "Authorised by the Security Council acting under Chapter VII.",
    "un_general_assembly": "Set up by the General Assembly (as with UNEF I).",
    "regional_arrangement": "Authorised by a regional organisation under Chapter VIII.",
    "csce_decision": "Decided by CSCE/OSCE participating states, agreed with the host.",
    "host_invitation": "Deployed at the host government's request.",
    "peace_agreement": "Provided for by an agreement among the parties themselves.",
    "none": "No body with authority to do so approved the operation.",
}


class Region(models.TextChoices):
    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    MIDDLE_EAST = "middle_east", "Middle East"
    OCEANIA = "oceania", "Oceania"


class Claim(models.TextChoices):
    """Which part of a record a citation supports."""

    SUMMARY = "summary", "Summary"
    DEFINITION = "definition", "Definition"
    DATES = "dates", "Dates"
    MANDATE = "mandate", "Mandate"
    MISSION_TYPE = "mission_type", "Mission type"
    HOST_CONSENT = "host_consent", "Host consent"
    USE_OF_FORCE = "use_of_force", "Use of force"
    IMPARTIALITY = "impartiality", "Impartiality"
    LEGAL_BASIS = "legal_basis", "Legal basis"
    MANDATE_TASKS = "mandate_tasks", "Mandate tasks"
    CLASSIFICATION = "classification", "Classification"
    CONFLICT_TYPE = "conflict_type", "Conflict type"
    COUNTRIES = "countries", "Countries"
    ORGANISATIONS = "organisations", "Organisations"
    RELATIONS = "relations", "Relations"
    WESTPHALIAN = "westphalian", "Westphalian view"
    POST_WESTPHALIAN = "post_westphalian", "Post-Westphalian view"
    OTHER = "other", "Other"


class LocatorType(models.TextChoices):
    PAGES = "pages", "Page(s)"
    SECTION = "section", "Section"
    PARAGRAPH = "paragraph", "Paragraph"
    NOTE = "note", "Note"


class ComparisonSection(models.TextChoices):
    DIMENSION = "dimension", "Dimension"
    ROUTE_TO_PEACE = "route_to_peace", "Route to stable peace"
    ADVOCATES = "advocates", "Who argues for it"
    CRITICISM = "criticism", "Criticism"
    DISAGREEMENT = "disagreement", "Where the texts disagree"


class CreatorRole(models.TextChoices):
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
