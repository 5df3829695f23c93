import { describe, expect, it } from 'vitest';
import {
  companyFromDomain,
  customFields,
  fieldsFor,
  fieldsUsed,
  nameParts,
  renderTemplate,
  TemplateSyntaxError,
  unknownFields,
  valuesFor,
} from './templates';

describe('companyFromDomain', () => {
  it.each([
    ['acme-corp.com', 'Acme Corp'],
    ['globex.io', 'Globex'],
    ['mail.initech.com', 'Initech'],
    ['umbrella.co.uk', 'Umbrella'],
    ['wayne_enterprises.com.au', 'Wayne Enterprises'],
    ['gmail.com', ''],
    ['Hotmail.NL', ''],
    ['localhost', 'Localhost'],
    ['', ''],
  ])('%s → %j', (domain, company) => {
    expect(companyFromDomain(domain)).toBe(company);
  });
});

describe('nameParts', () => {
  it('splits display names, including "Last, First" and multi-word surnames', () => {
    expect(nameParts('Jane Doe', 'x@y.com')).toEqual({ first: 'Jane', last: 'Doe' });
    expect(nameParts('Doe, Jane', 'x@y.com')).toEqual({ first: 'Jane', last: 'Doe' });
    expect(nameParts('Jan van der Berg', 'x@y.com')).toEqual({ first: 'Jan', last: 'van der Berg' });
    expect(nameParts('"Jane"', 'x@y.com')).toEqual({ first: 'Jane', last: '' });
  });
  it('falls back to first.last addresses but not to role addresses', () => {
    expect(nameParts(undefined, 'jane.doe@acme.com')).toEqual({ first: 'Jane', last: 'Doe' });
    expect(nameParts('', 'info@acme.com')).toEqual({ first: '', last: '' });
    expect(nameParts('jane@acme.com', 'jane@acme.com')).toEqual({ first: '', last: '' });
    expect(nameParts(undefined, 'j.doe2@acme.com')).toEqual({ first: '', last: '' });
  });
});

describe('rendering', () => {
  it('fills built-in fields from the recipient', () => {
    expect(fieldsFor({ name: 'Jane Doe', address: 'Jane@Acme-Corp.com' })).toEqual({
      first_name: 'Jane',
      last_name: 'Doe',
      email: 'jane@acme-corp.com',
      company: 'Acme Corp',
    });
    const out = renderTemplate('Hi {{ first_name }} at {{company}} ({{ email }})', valuesFor({ name: 'Jane Doe', address: 'jane@acme-corp.com' }));
    expect(out).toBe('Hi Jane at Acme Corp (jane@acme-corp.com)');
  });

  it('uses fallbacks when a field is empty', () => {
    const values = valuesFor({ address: 'info@gmail.com' });
    expect(renderTemplate('Hi {{ first_name | default: "there" }}, how is {{ company | default: "your team" }}?', values)).toBe(
      'Hi there, how is your team?',
    );
  });

  it('escapes values in HTML bodies but not in text', () => {
    const values = valuesFor({ name: '<b>Eve</b> Smith', address: 'eve@evil.com' });
    expect(renderTemplate('<div>Hi {{ first_name }}</div>', values, { html: true })).toBe('<div>Hi &lt;b&gt;Eve&lt;/b&gt;</div>');
    expect(renderTemplate('Hi {{ first_name }}', values)).toBe('Hi <b>Eve</b>');
  });

  it('reads tags typed with non-breaking spaces in a rich-text editor', () => {
    expect(renderTemplate('<div>Hi {{&nbsp;first_name&nbsp;}}</div>', { first_name: 'Jo' }, { html: true })).toBe('<div>Hi Jo</div>');
  });

  it('leaves text without markup alone', () => {
    expect(renderTemplate('Plain { text }', {})).toBe('Plain { text }');
  });

  it('never reads files or the network for includes', () => {
    expect(() => renderTemplate('{% include "https://example.com/x" %}', {})).toThrow(TemplateSyntaxError);
  });

  it('stops runaway loops', () => {
    expect(() => renderTemplate('{% for i in (1..100000000) %}x{% endfor %}', {})).toThrow(TemplateSyntaxError);
  });
});

describe('field detection', () => {
  it('lists fields across subject and body, once each', () => {
    expect(fieldsUsed('Hi {{ first_name }}', 'At {{ company | default: "you" }}, {{ first_name }} and {{ meeting_day }}')).toEqual([
      'first_name',
      'company',
      'meeting_day',
    ]);
  });

  it('reports unknown fields until the rep gives them a value', () => {
    const used = fieldsUsed('{{ first_name }} {{ meeting_day }} {{ pain_point }}');
    expect(customFields(used)).toEqual(['meeting_day', 'pain_point']);
    expect(unknownFields(used)).toEqual(['meeting_day', 'pain_point']);
    expect(unknownFields(used, { meeting_day: 'Tuesday' })).toEqual(['pain_point']);
    expect(renderTemplate('See you {{ meeting_day }}', valuesFor({ address: 'a@b.com' }, { meeting_day: 'Tuesday' }))).toBe(
      'See you Tuesday',
    );
  });

  it('names the syntax error', () => {
    expect(() => fieldsUsed('Hi {{ first_name ')).toThrow(TemplateSyntaxError);
  });
});
