import { useState } from 'react';
import { i18n } from '#i18n';
import type { DeliverabilityCheck, DeliverabilityReport } from '../../../shared/schemas/deliverability';

export type DeliverabilityState =
  | { kind: 'checking' }
  | { kind: 'report'; report: DeliverabilityReport }
  | { kind: 'note'; note: 'provider_domain' | 'relay_needed' | 'other_domain' }
  | { kind: 'error'; message: string };

export interface DeliverabilityProps {
  state: DeliverabilityState;
  onRecheck: () => void;
  /** The DKIM selector the rep entered for a provider whose selector Sendway cannot know. */
  selector?: string;
  onSelector?: (selector: string) => void;
}

function SelectorForm({ selector, onSelector }: { selector?: string; onSelector: (s: string) => void }) {
  const [value, setValue] = useState(selector ?? '');
  return (
    <form
      className="dlv-selector"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSelector(value.trim());
      }}
    >
      <label htmlFor="dlv-selector">{i18n.t('deliverability.selectorLabel')}</label>
      <input id="dlv-selector" data-testid="dkim-selector" value={value} onChange={(e) => setValue(e.target.value)} maxLength={63} pattern="[A-Za-z0-9._-]+" />
      <button type="submit" className="btn">
        {i18n.t('deliverability.selectorCheck')}
      </button>
    </form>
  );
}

/** The relay's reason codes we have words for in every language; others fall back to the relay's English text. */
const CODE_TEXT: Record<string, (domain: string) => string> = {
  spf_ok: (d) => i18n.t('deliverability.code.spf_ok', [d]),
  spf_missing: (d) => i18n.t('deliverability.code.spf_missing', [d]),
  spf_multiple: (d) => i18n.t('deliverability.code.spf_multiple', [d]),
  spf_invalid: (d) => i18n.t('deliverability.code.spf_invalid', [d]),
  spf_too_many_lookups: (d) => i18n.t('deliverability.code.spf_too_many_lookups', [d]),
  spf_pass_all: (d) => i18n.t('deliverability.code.spf_pass_all', [d]),
  spf_provider_missing: (d) => i18n.t('deliverability.code.spf_provider_missing', [d]),
  spf_server_missing: (d) => i18n.t('deliverability.code.spf_server_missing', [d]),
  spf_no_all: (d) => i18n.t('deliverability.code.spf_no_all', [d]),
  spf_neutral: (d) => i18n.t('deliverability.code.spf_neutral', [d]),
  dkim_ok: (d) => i18n.t('deliverability.code.dkim_ok', [d]),
  dkim_missing: (d) => i18n.t('deliverability.code.dkim_missing', [d]),
  dkim_selector_unknown: () => i18n.t('deliverability.code.dkim_selector_unknown'),
  dmarc_ok: (d) => i18n.t('deliverability.code.dmarc_ok', [d]),
  dmarc_none: (d) => i18n.t('deliverability.code.dmarc_none', [d]),
  dmarc_missing: (d) => i18n.t('deliverability.code.dmarc_missing', [d]),
  dmarc_multiple: (d) => i18n.t('deliverability.code.dmarc_multiple', [d]),
  dmarc_invalid: (d) => i18n.t('deliverability.code.dmarc_invalid', [d]),
  mx_ok: (d) => i18n.t('deliverability.code.mx_ok', [d]),
  mx_missing: (d) => i18n.t('deliverability.code.mx_missing', [d]),
  domain_missing: (d) => i18n.t('deliverability.code.domain_missing', [d]),
  dns_unavailable: (d) => i18n.t('deliverability.code.dns_unavailable', [d]),
};

export const checkText = (c: DeliverabilityCheck) => CODE_TEXT[c.code]?.(c.domain) ?? c.message;

const STATUS_TEXT = {
  pass: () => i18n.t('deliverability.status.pass'),
  warn: () => i18n.t('deliverability.status.warn'),
  fail: () => i18n.t('deliverability.status.fail'),
};

const CHECK_NAME = {
  spf: () => i18n.t('deliverability.check.spf'),
  dkim: () => i18n.t('deliverability.check.dkim'),
  dmarc: () => i18n.t('deliverability.check.dmarc'),
  mx: () => i18n.t('deliverability.check.mx'),
};

function CheckRow({ check }: { check: DeliverabilityCheck }) {
  return (
    <li className={`dlv-check dlv-${check.status}`} data-testid="deliverability-check" data-check={check.check} data-status={check.status}>
      <span className={`chip chip-dlv-${check.status}`}>{CHECK_NAME[check.check]()}</span> <span>{checkText(check)}</span>
      {check.record && (
        <div className="dlv-record">
          <p>{i18n.t('deliverability.record', [check.record.type, check.record.name])}</p>
          <code>{check.record.value}</code>
        </div>
      )}
    </li>
  );
}

/**
 * A channel's deliverability at a glance: one badge, and the fixes in plain
 * words behind it. The channel keeps working whatever it says.
 */
export function Deliverability({ state, onRecheck, selector, onSelector }: DeliverabilityProps) {
  if (state.kind === 'checking') {
    return (
      <p className="dlv" data-testid="deliverability" data-state="checking">
        <span className="dlv-label">{i18n.t('deliverability.heading')}</span> {i18n.t('deliverability.checking')}
      </p>
    );
  }
  if (state.kind === 'note' || state.kind === 'error') {
    const text =
      state.kind === 'error'
        ? i18n.t('deliverability.failed', [state.message])
        : state.note === 'provider_domain'
          ? i18n.t('deliverability.providerDomain')
          : state.note === 'relay_needed'
            ? i18n.t('deliverability.relayNeeded')
            : i18n.t('deliverability.otherDomain');
    return (
      <p className="dlv dlv-note" data-testid="deliverability" data-state={state.kind === 'error' ? 'error' : state.note}>
        <span className="dlv-label">{i18n.t('deliverability.heading')}</span> {text}
      </p>
    );
  }
  const { report } = state;
  const problems = report.checks.filter((c) => c.status !== 'pass');
  return (
    <div className="dlv" data-testid="deliverability" data-state="report" data-status={report.status}>
      <p className="dlv-head">
        <span className="dlv-label">{i18n.t('deliverability.heading')}</span>{' '}
        <span className={`chip chip-dlv-${report.status}`} data-testid="deliverability-badge">
          {STATUS_TEXT[report.status]()}
        </span>
      </p>
      <details className="dlv-details">
        <summary>{problems.length ? i18n.t('deliverability.showFixes', [String(problems.length)]) : i18n.t('deliverability.showDetails')}</summary>
        <ul className="dlv-list">
          {[...problems, ...report.checks.filter((c) => c.status === 'pass')].map((c) => (
            <CheckRow key={`${c.domain}:${c.check}`} check={c} />
          ))}
        </ul>
        {problems.length > 0 && <p className="dlv-note">{i18n.t('deliverability.stillWorks')}</p>}
        {onSelector && (selector || report.checks.some((c) => c.code === 'dkim_selector_unknown')) && (
          <SelectorForm selector={selector} onSelector={onSelector} />
        )}
        <button type="button" className="btn btn-quiet" onClick={onRecheck}>
          {i18n.t('deliverability.recheck')}
        </button>
      </details>
    </div>
  );
}
