"""Celery tasks of statistics: thin wrappers, each safe to run twice."""

from celery import shared_task


@shared_task
def rollups_refresh() -> int:
    from .rollups import rollups_refresh as refresh

    return refresh()


@shared_task(acks_late=True)
def export_run(export_id: int) -> str:
    from .exports.services import export_run as run

    return run(export_id=export_id)


@shared_task
def exports_purge() -> int:
    from .exports.services import exports_purge as purge

    return purge()


@shared_task
def exports_resume_stalled() -> int:
    from .exports.services import exports_resume_stalled as resume

    return resume()


@shared_task
def partitions_ensure() -> int:
    from .partitioning import partitions_ensure as ensure

    return ensure()
