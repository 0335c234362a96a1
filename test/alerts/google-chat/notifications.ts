import { SEVERITIES } from '../../../src/core/severity';
import type { ItemStatus, Notification, NotificationItem } from '../../../alerts/types';
import { seeded } from '../../servers/chat/outcomes';

const NOW = '2026-11-20T12:00:00.000Z';
const HOUR = 3_600_000;

export function item(overrides: Partial<NotificationItem> = {}): NotificationItem {
  return {
    key: 'analytics.orders',
    status: 'new',
    severity: 'critical',
    title: 'orders: 1,204 rows missing in the warehouse',
    summary: 'Source has 120,400 rows, target 119,196.',
    metrics: { sourceRows: 120_400, targetRows: 119_196 },
    links: [{ label: 'Grafana', url: 'https://grafana.example.com/d/rows?var-table=orders' }],
    firingSince: NOW,
    lifecycle: 'condition',
    ...overrides,
  };
}

export function notification(items: NotificationItem[], overrides: Partial<Notification> = {}): Notification {
  return {
    id: '5f0c1a52-1111-4d7e-9a49-3c2a8b7e0001',
    channel: 'chat',
    checkId: 'orders-drift',
    checkKind: 'row-count-consistency',
    createdAt: NOW,
    items,
    ...overrides,
  };
}

const STATUSES: ItemStatus[] = ['new', 'repeat', 'resolved', 'retired'];
const NASTY = [
  '<b>x</b> & "y"',
  'ünïcödé ✅ 🚨 日本語',
  'tab\there\u0000nul',
  '*bold* _it_ `code`',
  'a'.repeat(5000),
];

/** Many different notifications, from a seed: sizes from 0 to 1,500 items, odd text, odd links. */
export function randomNotifications(count: number, seed = 42): Notification[] {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const text = () => (random() < 0.2 ? pick(NASTY) : `text ${Math.floor(random() * 1e6)}`);
  return Array.from({ length: count }, (_, n) => {
    const size = pick([0, 1, 2, 5, 30, 99, 101, 400, 1500]);
    const items = Array.from({ length: size }, (_, i) => {
      const status = pick(STATUSES);
      return item({
        key: `${text()}-${i}`,
        status,
        severity: pick(SEVERITIES),
        title: text(),
        ...(random() < 0.7 ? { summary: text() } : { summary: undefined }),
        metrics:
          random() < 0.5 ? { monthlyCostUsd: random() * 1e4, runningSeconds: random() * 1e5, n: NaN } : {},
        labels: random() < 0.5 ? { region: 'eu-west-1', account: text() } : {},
        links:
          random() < 0.5
            ? [{ label: text(), url: pick(['https://x.example/a', 'javascript:alert(1)', 'not a url']) }]
            : [],
        firingSince: new Date(Date.parse(NOW) - random() * 100 * HOUR).toISOString(),
        ...(status === 'resolved' || status === 'retired' ? { resolvedAt: NOW } : {}),
      });
    });
    return notification(items, { id: `id-${n}`, checkId: n % 7 ? `check-${n}` : text() });
  });
}
