import factory
from django.contrib.contenttypes.models import ContentType

from apps.core.models import Status
from apps.knowledge import models


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

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

    @factory.post_generation
    def cited(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            CitationFactory(target=obj)


class OrganisationFactory(RecordFactory):
    class Meta:
        model = models.Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = "regional"


class NormFactory(RecordFactory):
    class Meta:
        model = models.Norm

    slug = factory.Sequence(lambda n: f"norm-{n}")
    name = factory.Sequence(lambda n: f"Norm {n}")
    conception = "westphalian"


class DocumentFactory(RecordFactory):
    class Meta:
        model = models.Document

    slug = factory.Sequence(lambda n: f"document-{n}")
    title = factory.Sequence(lambda n: f"Document {n}")
    kind = "resolution"


class ConceptFactory(RecordFactory):
    class Meta:
        model = models.Concept

    slug = factory.Sequence(lambda n: f"concept-{n}")
    term = factory.Sequence(lambda n: f"Concept {n}")


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


class CaseFactory(ClassifiedFactory):
    class Meta:
        model = models.Case

    slug = factory.Sequence(lambda n: f"case-{n}")
    name = factory.Sequence(lambda n: f"Case {n}")
    conflict_type = "inter_state"


class MissionFactory(ClassifiedFactory):
    class Meta:
        model = models.Mission

    slug = factory.Sequence(lambda n: f"mission-{n}")
    name = factory.Sequence(lambda n: f"Mission {n}")
    acronym = factory.Sequence(lambda n: f"MSN{n}")
    mission_type = "traditional_peacekeeping"


class ComparisonRowFactory(RecordFactory):
    class Meta:
        model = models.ComparisonRow

    slug = factory.Sequence(lambda n: f"row-{n}")
    name = factory.Sequence(lambda n: f"Dimension {n}")
    section = "dimension"
    westphalian = "Between states."
    post_westphalian = "Inside states."


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
