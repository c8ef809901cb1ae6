"""Indexes for the discovery pages (eventmate.events.selectors); each names its query.

All are partial over what a visitor may find (published, not cancelled), so they stay small
and a listing never reads a cancelled or draft row. Checked by tests/events/test_explain.py.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_postgres_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Capped result count of search/city pages:
        #   SELECT COUNT(*) FROM (SELECT 1 … WHERE ends_at >= now() [AND starts_at < :to]
        #   [AND price …] LIMIT 1001) — answered by an index-only scan.
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('is_cancelled', False), ('is_published', True)), fields=['ends_at', 'starts_at', 'price'], name='events_listed_ends_idx'),
        ),
        # Search sorted by price: … ORDER BY price [DESC], starts_at LIMIT 24; and free=1.
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('is_cancelled', False), ('is_published', True)), fields=['price', 'starts_at'], name='events_listed_price_idx'),
        ),
        # Home "popular right now" and sort=popular: … ORDER BY tickets_sold DESC, starts_at.
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('is_cancelled', False), ('is_published', True)), fields=['-tickets_sold', 'starts_at'], name='events_listed_popular_idx'),
        ),
        # sort=rating: … ORDER BY rating_average DESC, rating_count DESC, starts_at.
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('is_cancelled', False), ('is_published', True)), fields=['-rating_average', '-rating_count', 'starts_at'], name='events_listed_rating_idx'),
        ),
    ]
