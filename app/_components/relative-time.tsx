import { formatAge } from './format';

/**
 * "3 days ago" as a <time>. The server and the browser may compute it differently (a minute passed
 * between them on a busy machine, or the browser's clock differs): React then keeps the server's
 * text while hydrating, and the next render brings it up to date. A mismatch would otherwise make
 * React 19 throw the server's page away and render the whole document again, losing the theme the
 * boot script set on <html>.
 */
export function RelativeTime({
  at,
  now,
  className,
}: {
  at: string | number | undefined;
  now?: number;
  className?: string;
}) {
  const ms = typeof at === 'number' ? at : at === undefined ? NaN : Date.parse(at);
  return (
    <time
      dateTime={Number.isFinite(ms) ? new Date(ms).toISOString() : undefined}
      className={className}
      suppressHydrationWarning
    >
      {formatAge(at, now)}
    </time>
  );
}
