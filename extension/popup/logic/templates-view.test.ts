import { describe, expect, it } from 'vitest';
import { analyseTemplate, copyName, exportTemplates, parseTemplateImport, previewTemplate, suggestField } from './templates-view';

describe('template editor logic', () => {
  it('sorts fields into built-in and custom, and suggests a fix for a likely typo', () => {
    const r = analyseTemplate('Hi {{ frist_name }}', '{{ company }} and {{ job_title | default: "you" }} {{ Email }}');
    expect(r.builtIn).toEqual(['company']);
    expect(r.custom).toEqual([{ name: 'frist_name', suggestion: 'first_name' }, { name: 'job_title' }, { name: 'Email', suggestion: 'email' }]);
    expect(r.syntaxError).toBeUndefined();
    expect(suggestField('compny')).toBe('company');
    expect(suggestField('meeting_day')).toBeUndefined();
  });

  it('reports a syntax error instead of fields', () => {
    expect(analyseTemplate('Hi {{ first_name ', 'x').syntaxError).toBeTruthy();
  });

  it('previews for a sample recipient with every value escaped', () => {
    const p = previewTemplate({ subject: 'Hi {{ first_name }}', body: 'Line <b>one</b>\n\n{{ note }}' }, { name: 'Jane <script>', address: 'jane@acme.test' }, { note: '<img src=x onerror=alert(1)>' });
    expect(p.subject).toBe('Hi Jane');
    expect(p.html).toBe('<p>Line &lt;b&gt;one&lt;/b&gt;</p>\n<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it('names copies without clashing', () => {
    expect(copyName('Intro', ['Intro'], 'copy')).toBe('Intro (copy)');
    expect(copyName('Intro', ['Intro', 'Intro (copy)'], 'copy')).toBe('Intro (copy 2)');
    expect(copyName('Intro (copy)', ['Intro', 'Intro (copy)', 'Intro (copy 2)'], 'copy')).toBe('Intro (copy 3)');
  });

  it('round-trips an export and refuses bad files naming where', () => {
    const t = { id: 'a1', name: 'A', subject: 'S', body: 'B', updatedAt: '2030-01-01T00:00:00.000Z' };
    expect(parseTemplateImport(exportTemplates([t]))).toEqual({ ok: true, templates: [{ id: 'a1', name: 'A', subject: 'S', body: 'B' }] });
    expect(parseTemplateImport('[{"name":"B","subject":"x","body":""}]')).toEqual({ ok: true, templates: [{ name: 'B', subject: 'x', body: '' }] });
    expect(parseTemplateImport('{nope')).toEqual({ ok: false, error: 'not a JSON file' });
    expect(parseTemplateImport('{"sendway":"templates","version":2,"templates":[]}')).toMatchObject({ ok: false, error: expect.stringMatching(/^version:/) });
    expect(parseTemplateImport(JSON.stringify([t, { name: 'x', subject: 'a\r\nBcc: e@evil.test', body: '' }]))).toMatchObject({ ok: false, error: expect.stringMatching(/^templates\.1\.subject: .*line breaks/) });
    expect(parseTemplateImport(JSON.stringify([{ name: 'x', subject: 'a', body: '', script: 1 }]))).toEqual({ ok: false, error: 'templates.0.script: unknown field' });
  });
});
