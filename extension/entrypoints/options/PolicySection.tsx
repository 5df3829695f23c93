import { i18n } from '#i18n';
import type { EffectiveSettings } from '../../../shared/schemas/settings';

function show(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** What the organisation set through browser policy, so a rep can see why something is fixed. */
export function PolicySection({ settings }: { settings: EffectiveSettings | undefined }) {
  const keys = settings?.managedKeys ?? [];
  const values = (settings?.values ?? {}) as Record<string, unknown>;
  return (
    <section id="policy" className="options-section" aria-labelledby="policy-section-heading">
      <h2 id="policy-section-heading">{i18n.t('options.policy.heading')}</h2>
      {keys.length === 0 ? (
        <p className="muted">{i18n.t('options.policy.none')}</p>
      ) : (
        <>
          <p className="muted">{settings?.locked ? i18n.t('options.policy.locked') : i18n.t('options.policy.intro')}</p>
          <table className="table" data-testid="policy-table">
            <thead>
              <tr>
                <th scope="col">{i18n.t('options.policy.setting')}</th>
                <th scope="col">{i18n.t('options.policy.value')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td>{show(values[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
