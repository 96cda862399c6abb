"""People's words (commentary, annotations, sign-offs): append-only SQLite beside the store."""

from __future__ import annotations

from scorecard.data.reviews_annotations import AnnotationRecords
from scorecard.data.reviews_benefit_signoffs import BenefitSignOffRecords
from scorecard.data.reviews_commentary import CommentaryRecords
from scorecard.data.reviews_signoffs import SignOffRecords


class Reviews(CommentaryRecords, AnnotationRecords, SignOffRecords, BenefitSignOffRecords):
    """Every kind of people's record in the one reviews file beside a store.

    Each kind is written and read by its own module (``reviews_commentary``,
    ``reviews_annotations``, ``reviews_signoffs``, ``reviews_benefit_signoffs``) over the shared
    database, hash chain and freeze of ``reviews_core``.
    """
