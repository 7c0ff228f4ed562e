import factory
from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify

from apps.core import fuzzydate
from apps.core.models import Status
from apps.knowledge import models


class MandateTaskFactory(factory.django.DjangoModelFactory):
    """A post-Westphalian task of the vocabulary: organising elections."""

    class Meta:
        model = models.MandateTask

    slug = "elections"
    name = "Elections"
    conception = "post_westphalian"
    description = "Organising or monitoring a vote."


def period(start, end=""):
    """A record's dates as curators write them, at the precision they know:
    `period("1956-11", "1967")` gives the start and end dates and precisions."""
    fields = {}
    for side, written in (("start", start), ("end", end)):
        if written:
            fields[f"{side}_date"], fields[f"{side}_precision"] = fuzzydate.parse(
                written
            )
    return fields


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = "article"
    title = factory.Sequence(lambda n: f"A study of peace operations {n}")
    container_title = "International Organization"
    year = 1999
    page_first = 505
    page_last = 535
    status = Status.PUBLISHED

    class Params:
        draft = factory.Trait(status=Status.DRAFT)

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        """`authors=["Flynn, Gregory", "Farrell, Henry"]`: the authors, in order."""
        _add_creators(obj, "author", extracted if create else None)

    @factory.post_generation
    def editors(obj, create, extracted, **kwargs):
        """`editors=["Smith, Jo"]`: the editors of the book a chapter is in."""
        _add_creators(obj, "editor", extracted if create else None)


def _add_creators(source, role, names):
    for position, name in enumerate(names or ()):
        family, _, given = name.partition(", ")
        source.creators.create(role=role, family=family, given=given, position=position)


def flynn_farrell_article(**fields):
    """The article most tests cite, as the curated data has it; `fields` change it."""
    return SourceFactory(
        **{
            "slug": "flynn-farrell-1999",
            "title": "Piecing Together the Democratic Peace",
            "volume": "53",
            "issue": "3",
            "authors": ["Flynn, Gregory", "Farrell, Henry"],
            **fields,
        }
    )


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Citation

    source = factory.SubFactory(SourceFactory)
    claim = "summary"
    locator_type = "pages"
    locator = "512"
    content_type = factory.LazyAttribute(
        lambda o: ContentType.objects.get_for_model(o.target)
    )
    object_id = factory.LazyAttribute(lambda o: o.target.pk)

    class Params:
        target = None


class RecordFactory(factory.django.DjangoModelFactory):
    """Records are published by default; `draft=True` or `status=...` for the others."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    summary = "A record summary. It has two sentences."
    status = Status.PUBLISHED

    class Params:
        draft = factory.Trait(status=Status.DRAFT)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Many-to-many relations may be given as lists: `organisations=[un]`."""
        related = {
            field.name: kwargs.pop(field.name)
            for field in model_class._meta.many_to_many
            if field.name in kwargs
        }
        record = super()._create(model_class, *args, **kwargs)
        for name, values in related.items():
            getattr(record, name).set(values)
        return record

    @factory.post_generation
    def cited(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            CitationFactory(target=obj)


def record_factory(model, label, *, base=RecordFactory, title="name", **fields):
    """The factory of `model`'s records: each one numbered, with slug "norm-3" and
    `title` "Norm 3" for `label` "Norm", and `fields` for what every record has."""
    return factory.make_factory(
        model,
        FACTORY_CLASS=base,
        slug=factory.Sequence(lambda n: f"{slugify(label)}-{n}"),
        **{title: factory.Sequence(lambda n: f"{label} {n}")},
        **fields,
    )


OrganisationFactory = record_factory(
    models.Organisation,
    "Organisation",
    acronym=factory.Sequence(lambda n: f"ORG{n}"),
    kind="regional",
)
NormFactory = record_factory(models.Norm, "Norm", conception="westphalian")
DocumentFactory = record_factory(
    models.Document, "Document", title="title", kind="resolution"
)
ConceptFactory = record_factory(models.Concept, "Concept", title="term")


class ClassifiedFactory(RecordFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def classified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            classification = models.Classification.objects.create(
                target=obj,
                value=extracted or "westphalian",
                basis="author",
                preferred=True,
                rationale="Consent-based and confined to the line between the parties.",
            )
            CitationFactory(target=classification, claim="classification")


CaseFactory = record_factory(
    models.Case, "Case", base=ClassifiedFactory, conflict_type="inter_state"
)


class MissionFactory(ClassifiedFactory):
    class Meta:
        model = models.Mission

    slug = factory.Sequence(lambda n: f"mission-{n}")
    name = factory.Sequence(lambda n: f"Mission {n}")
    acronym = factory.Sequence(lambda n: f"MSN{n}")
    mission_type = "traditional_peacekeeping"

    class Params:
        # The codings of a traditional force: all parties consent, force only in
        # self-defence, impartial, a General Assembly mandate.
        traditional_coding = factory.Trait(
            host_consent="all_parties",
            use_of_force="self_defence",
            impartiality="impartial",
            legal_basis="un_general_assembly",
        )


ComparisonRowFactory = record_factory(
    models.ComparisonRow,
    "Dimension",
    section="dimension",
    westphalian="Between states.",
    post_westphalian="Inside states.",
)


# The records the tests name most often, by their slug, name and acronym (the UN, UNEF I
# and KFOR, the Suez Crisis); `fields` add what a test needs or change these.


def united_nations(**fields):
    return OrganisationFactory(
        **{"slug": "un", "name": "United Nations", "acronym": "UN", **fields}
    )


def unef_i(**fields):
    name = "First United Nations Emergency Force"
    return MissionFactory(
        **{"slug": "unef-i", "name": name, "acronym": "UNEF I", **fields}
    )


def kfor(**fields):
    return MissionFactory(
        **{"slug": "kfor", "name": "Kosovo Force", "acronym": "KFOR", **fields}
    )


def suez_crisis(**fields):
    return CaseFactory(**{"slug": "suez-crisis", "name": "Suez Crisis", **fields})


# A factory for each record type, by model name (registry.RECORD_TYPES, in its order).
RECORD_FACTORIES = {
    "mission": MissionFactory,
    "case": CaseFactory,
    "norm": NormFactory,
    "document": DocumentFactory,
    "organisation": OrganisationFactory,
    "concept": ConceptFactory,
    "source": SourceFactory,
    "comparisonrow": ComparisonRowFactory,
}
# The types with pages of their own (comparison rows are shown only on /compare/).
PAGE_FACTORIES = {
    name: factory
    for name, factory in RECORD_FACTORIES.items()
    if name != "comparisonrow"
}
