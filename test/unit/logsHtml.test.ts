// The log report's HTML (src/core/report/logsHtml.ts): escaping of everything that comes from a log,
// the chart's buckets from one minute to weeks, the buttons the page sends back, the empty state.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText, LogAnalysis } from '../../src/core/logs/analyze';
import { chartBuckets, eventsChartSvg, lineArg, logsReportHtml, parseLineArg } from '../../src/core/report/logsHtml';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const nginxLog = path.join(repoRoot, 'test', 'fixtures', 'logs', 'nginx-error.log');

const count = (s: string, needle: string | RegExp) => (typeof needle === 'string' ? s.split(needle).length - 1 : (s.match(needle) ?? []).length);

/** Minute keys from a start, `n` consecutive minutes apart by `every`. */
function minutes(n: number, every = 1, start = Date.UTC(2024, 0, 15, 10, 0)): string[] {
  return Array.from({ length: n }, (_, i) => new Date(start + i * every * 60000).toISOString().slice(0, 16));
}

describe('log report HTML', () => {
  const analysis = analyzeText(fs.readFileSync(nginxLog, 'utf8'), nginxLog);

  it('has totals, the tables, the chart and a button per first line', () => {
    const html = logsReportHtml({ analysis, displayName: (f) => path.basename(f) });
    assert.match(html, /<h1>Log report: nginx-error\.log<\/h1>/);
    assert.ok(html.includes(`${analysis.events} failure events`), 'the total is shown');
    assert.ok(html.includes('<table class="by-cause">'));
    assert.ok(html.includes('<table class="by-upstream">'));
    assert.ok(html.includes('<svg class="chart events-chart"'));
    for (const [cause, n] of Object.entries(analysis.byCause)) {
      assert.ok(html.includes(`<code>${cause}</code></td><td class="num">${n}</td>`), `by-cause row for ${cause} with ${n}`);
    }
    const first = analysis.findings[0];
    assert.ok(html.includes(`data-command="openLine" data-arg="${lineArg(first.file, first.line)}"`), 'the first finding has an open button');
    assert.strictEqual(count(html, 'data-command="showConfigFindings"'), 0, 'no config-finding buttons without config findings');
  });

  it('offers "Show config findings" only for causes the workspace has findings of', () => {
    const html = logsReportHtml({ analysis, configFindings: { tls: 2, overload: 5 } });
    assert.ok(html.includes('data-command="showConfigFindings" data-arg="tls"'));
    assert.ok(!html.includes('data-arg="overload"'), 'overload is not in this log: no button');
    assert.ok(!html.includes('data-arg="upstream-down"'));
  });

  it('escapes every value that comes from the log or the file name', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const text = `2024/01/15 10:23:45 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.7, server: x, request: "GET / HTTP/1.1", upstream: "http://${evil}/", host: "x"\n`;
    const a = analyzeText(text, `/logs/${evil}.log`);
    assert.strictEqual(a.events, 1, 'the line is classified');
    const html = logsReportHtml({ analysis: a });
    assert.ok(!html.includes('<img'), 'no raw tag from the log');
    assert.ok(!/onerror=alert\(1\)>"/.test(html));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'), 'escaped text is shown');
    // Attribute values stay attribute values: every data-arg is one quoted token without a raw quote.
    for (const m of html.matchAll(/data-arg="([^"]*)"/g)) assert.ok(!m[1].includes('<'), m[1]);
  });

  it('says plainly when there are no failure lines', () => {
    const a = analyzeText('2024/01/15 10:23:40 [notice] 1201#1201: start worker processes\n2024/01/15 10:23:41 [notice] 1201#1201: signal process started\n', '/x/error.log');
    const html = logsReportHtml({ analysis: a });
    assert.match(html, /No failure lines found in 2 lines\./);
    assert.ok(!html.includes('<svg'), 'no empty chart');
    const unknown = logsReportHtml({ analysis: analyzeText('hello\nworld\n', '/x/notes.txt') });
    assert.match(unknown, /The format was not recognised/);
  });

  it('openLine arguments round-trip, also for paths with colons', () => {
    assert.deepStrictEqual(parseLineArg(lineArg('C:\\logs\\a:b.log', 42)), { file: 'C:\\logs\\a:b.log', line: 42 });
    assert.strictEqual(parseLineArg('nofile'), undefined);
    assert.strictEqual(parseLineArg('/x.log:0'), undefined);
    assert.strictEqual(parseLineArg('/x.log:abc'), undefined);
  });
});

describe('log report chart', () => {
  const perMinute = (keys: string[], counts = { 'upstream-down': 2, 'timeout-mismatch': 1 }) => Object.fromEntries(keys.map((k) => [k, counts]));

  it('one minute: one stacked bar, labelled and with a legend-ready class per cause', () => {
    const svg = eventsChartSvg(perMinute(minutes(1)));
    assert.strictEqual(count(svg, /<rect class="bar cause-/g), 2, 'two causes stacked in one bar');
    assert.ok(svg.includes('class="bar cause-upstream-down"') && svg.includes('class="bar cause-timeout-mismatch"'));
    assert.ok(svg.includes('2024-01-15 10:00'), 'the time is on the axis');
    assert.ok(svg.includes('one bar per minute'));
    assert.ok(!svg.includes('style='), 'no inline styles (the CSP forbids them)');
    assert.ok(!/NaN|Infinity|undefined/.test(svg));
  });

  it('10,000 minutes are bucketed into at most 120 bars and no event is lost', () => {
    const keys = minutes(10000);
    const b = chartBuckets(perMinute(keys));
    assert.ok(b.buckets.length <= 120, `${b.buckets.length} bars`);
    assert.ok(b.minutes >= 10000 / 120, `bucket of ${b.minutes} minutes`);
    const sum = b.buckets.reduce((s, x) => s + (x.counts['upstream-down'] ?? 0) + (x.counts['timeout-mismatch'] ?? 0), 0);
    assert.strictEqual(sum, 30000);
    const svg = eventsChartSvg(perMinute(keys));
    assert.ok(count(svg, /<rect class="bar /g) <= 240);
    assert.match(svg, /one bar per \d+ (hours|minutes|days?)/);
    assert.ok(!/NaN|Infinity/.test(svg));
  });

  it('gaps between events become empty buckets, so time stays linear', () => {
    const b = chartBuckets(perMinute(['2024-01-15T10:00', '2024-01-15T10:09']));
    assert.strictEqual(b.minutes, 1);
    assert.strictEqual(b.buckets.length, 10);
    assert.deepStrictEqual(b.buckets[5].counts, {});
  });

  it('keys that are not minutes (the aggregator overflow) are reported, not drawn', () => {
    const b = chartBuckets({ ...perMinute(minutes(3)), '(other)': { dns: 4 } });
    assert.strictEqual(b.unplaced, 4);
    assert.match(eventsChartSvg({ ...perMinute(minutes(3)), '(other)': { dns: 4 } }), /4 events beyond the kept minutes/);
    assert.strictEqual(eventsChartSvg({}), '<p class="muted">No time stamps to chart.</p>');
  });
});

// Keep the type import used (the analysis shape is what the renderer reads).
export type _Analysis = LogAnalysis;
