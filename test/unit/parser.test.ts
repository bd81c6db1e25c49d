// The nginx tokenizer against what ngx_conf_read_token does: exact ranges, quoting and escapes, comments,
// `${VAR}` templates, opaque Lua bodies, CRLF, BOM. Each case is small and says what nginx would see.
import * as assert from 'assert';
import { NginxDirective, parseNginx, allDirectives } from '../../src/core/configs/nginx/parser';

function parse(text: string) {
  return parseNginx('/t/nginx.conf', text);
}

function clean(text: string): NginxDirective[] {
  const p = parse(text);
  assert.deepStrictEqual(p.problems.map((x) => x.message), [], 'expected no parse problems');
  return p.directives;
}

/** The source text each range points at, to assert ranges without counting offsets by hand. */
function at(text: string, start: number, end: number): string {
  return text.slice(start, end);
}

function values(d: NginxDirective): string[] {
  return d.args.map((a) => a.value);
}

describe('nginx parser', () => {
  describe('source ranges', () => {
    it('gives exact offsets for names, arguments and the terminating ;', () => {
      const text = '  worker_processes   4 ;\nerror_log /var/log/x.log warn;';
      const [a, b] = clean(text);
      assert.strictEqual(at(text, a.start, a.nameEnd), 'worker_processes');
      assert.strictEqual(at(text, a.args[0].start, a.args[0].end), '4');
      assert.strictEqual(at(text, a.start, a.end), 'worker_processes   4 ;');
      assert.strictEqual(b.start, text.indexOf('error_log'));
      assert.deepStrictEqual(b.args.map((x) => at(text, x.start, x.end)), ['/var/log/x.log', 'warn']);
      assert.strictEqual(b.end, text.length);
    });

    it('records block open and close offsets, and end just after the }', () => {
      const text = 'http {\n  server {\n    listen 80;\n  }\n}\n';
      const [http] = clean(text);
      assert.strictEqual(http.blockStart, text.indexOf('{'));
      assert.strictEqual(http.blockEnd, text.lastIndexOf('}'));
      assert.strictEqual(http.end, text.lastIndexOf('}') + 1);
      const server = http.block![0];
      assert.strictEqual(server.name, 'server');
      assert.strictEqual(text[server.blockStart!], '{');
      assert.strictEqual(at(text, server.blockEnd!, server.end), '}');
      assert.strictEqual(server.blockEnd, text.indexOf('  }') + 2);
      assert.strictEqual(server.block![0].file, '/t/nginx.conf');
    });

    it('ranges of a quoted argument include its quotes; the value does not', () => {
      const text = 'add_header X-A "a b" always;';
      const [d] = clean(text);
      assert.strictEqual(at(text, d.args[1].start, d.args[1].end), '"a b"');
      assert.strictEqual(d.args[1].value, 'a b');
      assert.strictEqual(d.args[1].quoted, true);
      assert.strictEqual(d.args[2].quoted, false);
    });

    it('block directives with arguments keep them (location modifiers, regexes)', () => {
      const text = 'location ~* \\.(png|jpg)$ { expires 1d; }';
      const [d] = clean(text);
      assert.deepStrictEqual(values(d), ['~*', '\\.(png|jpg)$']);
      assert.strictEqual(d.block!.length, 1);
    });
  });

  describe('quotes and escapes', () => {
    it('double and single quotes, with spaces, ; { } and # inside', () => {
      const [a, b] = clean(`return 200 "a; {b} #c";\nlog_format x '$a "q" {}';`);
      assert.deepStrictEqual(values(a), ['200', 'a; {b} #c']);
      assert.deepStrictEqual(values(b), ['x', '$a "q" {}']);
    });

    it('backslash escapes: \\" \\\' \\\\ \\t \\n \\r unescaped, others kept (like nginx)', () => {
      const [a, b] = clean(String.raw`return 200 "say \"hi\" \\ \t\n\r \d";` + '\n' + String.raw`set $x 'it\'s';`);
      assert.strictEqual(a.args[1].value, 'say "hi" \\ \t\n\r \\d');
      assert.strictEqual(b.args[1].value, "it's");
    });

    it('an escaped quote does not close the string; an escaped ; or space in a bare word does not end it', () => {
      const text = String.raw`set $a "x\"; y";` + '\n' + String.raw`set $b a\;b\ c;`;
      const [a, b] = clean(text);
      assert.strictEqual(a.args[1].value, 'x"; y');
      assert.strictEqual(b.args[1].value, String.raw`a\;b\ c`);
      assert.strictEqual(at(text, b.args[1].start, b.args[1].end), String.raw`a\;b\ c`);
    });

    it('a quote in the middle of a word is part of the word', () => {
      const [d] = clean(`add_header X a"b"c;`);
      assert.deepStrictEqual(values(d), ['X', 'a"b"c']);
      assert.strictEqual(d.args[1].quoted, false);
    });

    it('empty quoted strings are arguments', () => {
      const [d] = clean(`proxy_set_header Accept-Encoding "";`);
      assert.deepStrictEqual(values(d), ['Accept-Encoding', '']);
    });

    it('text glued to a closing quote is an error, as in nginx', () => {
      const p = parse(`return 200 "a"b;`);
      assert.ok(p.problems.some((x) => x.severity === 'error' && /after a quoted string/.test(x.message)), JSON.stringify(p.problems));
    });
  });

  describe('comments', () => {
    it("'#' starts a comment only at the start of a token", () => {
      const text = 'proxy_pass http://a/#frag; # real comment ; { }\nlisten 80;#c\n';
      const [a, b] = clean(text);
      assert.deepStrictEqual(values(a), ['http://a/#frag']);
      assert.deepStrictEqual(values(b), ['80']);
    });

    it('a comment between arguments, and a comment as the last line without newline', () => {
      const ds = clean('listen # port follows\n 80;\n# trailing');
      assert.strictEqual(ds.length, 1);
      assert.deepStrictEqual(values(ds[0]), ['80']);
    });

    it("'#' inside quotes is text", () => {
      const [d] = clean(`return 200 "# not a comment";`);
      assert.deepStrictEqual(values(d), ['200', '# not a comment']);
    });
  });

  describe('variables and templates', () => {
    it('${VAR} (envsubst templates) stays inside one word, braces and all', () => {
      const text = 'server { listen ${NGINX_PORT}; server_name ${HOST}.example.com; proxy_pass http://${UP}:8080/; }';
      const [server] = clean(text);
      assert.deepStrictEqual(
        server.block!.map((d) => [d.name, ...values(d)]),
        [
          ['listen', '${NGINX_PORT}'],
          ['server_name', '${HOST}.example.com'],
          ['proxy_pass', 'http://${UP}:8080/'],
        ],
      );
      const listen = server.block![0];
      assert.strictEqual(at(text, listen.args[0].start, listen.args[0].end), '${NGINX_PORT}');
    });

    it('a template as the directive name itself', () => {
      const [d] = clean('${DIRECTIVE} on;');
      assert.strictEqual(d.name, '${DIRECTIVE}');
    });

    it("'$var{' opens a block: the brace is not part of the variable", () => {
      const [d] = clean('if ($bad){ return 403; }');
      assert.strictEqual(d.name, 'if');
      assert.deepStrictEqual(values(d), ['($bad)']);
      const [m] = clean('map $uri $x{ default 0; }');
      assert.deepStrictEqual(values(m), ['$uri', '$x']);
      assert.strictEqual(m.block!.length, 1);
    });

    it("a '}' inside a word is part of it, as in nginx (`a}b` is valid)", () => {
      const [server] = clean('server { add_header X a}b; }');
      assert.deepStrictEqual(values(server.block![0]), ['X', 'a}b']);
    });

    it("'${' inside quotes and '$${' are kept verbatim", () => {
      const [a, b] = clean(`return 200 "\${x} {y}";\nset $a $\${b};`);
      assert.strictEqual(a.args[1].value, '${x} {y}');
      assert.strictEqual(b.args[1].value, '$${b}');
    });
  });

  describe('if conditions', () => {
    it('`if ($x ~ "a") {`: parentheses stay on the neighbouring tokens, the quoted pattern is one argument', () => {
      const text = 'location / {\n  if ($http_x ~ "a{2}") {\n    return 403;\n  }\n}';
      const [loc] = clean(text);
      const iff = loc.block![0];
      assert.deepStrictEqual(values(iff), ['($http_x', '~', 'a{2}', ')']);
      assert.strictEqual(iff.block![0].name, 'return');
      assert.strictEqual(text[iff.blockStart!], '{');
    });

    it('`if (-f $request_filename){` with no space before the brace', () => {
      const [iff] = clean('if (-f $request_filename){ break; }');
      assert.deepStrictEqual(values(iff), ['(-f', '$request_filename)']);
      assert.strictEqual(iff.block![0].name, 'break');
    });

    it('`if ($a = \'x\')` with single quotes directly before )', () => {
      const [iff] = clean(`if ($a = 'x') { return 404; }`);
      assert.deepStrictEqual(values(iff), ['($a', '=', 'x', ')']);
    });
  });

  describe('*_by_lua_block bodies are opaque', () => {
    it('braces inside Lua strings, tables and comments do not end the block', () => {
      const lua = [
        'content_by_lua_block {',
        '  local t = { a = "}", b = \'{{\' }  -- a comment with } and {',
        '  --[[ long comment',
        '     with } braces { ]]',
        '  local s = [[ long string } ]]',
        '  local e = [==[ level 2 ]] } ]==]',
        '  ngx.say("done \\" }")',
        '}',
        'listen 80;',
      ].join('\n');
      const ds = clean(lua);
      assert.deepStrictEqual(ds.map((d) => d.name), ['content_by_lua_block', 'listen']);
      const block = ds[0];
      assert.strictEqual(block.opaque, true);
      assert.deepStrictEqual(block.block, []);
      assert.strictEqual(block.blockEnd, lua.indexOf('}\nlisten'));
      assert.strictEqual(block.end, block.blockEnd! + 1);
    });

    it('nested Lua blocks balance; other *_by_lua_block names are opaque too', () => {
      const text = 'access_by_lua_block { if x then local t = {1, {2}} end }\nset_by_lua_block $v { return "{" }\nreturn 200;';
      const ds = clean(text);
      assert.deepStrictEqual(ds.map((d) => d.name), ['access_by_lua_block', 'set_by_lua_block', 'return']);
      assert.deepStrictEqual(values(ds[1]), ['$v']);
      assert.ok(ds[0].opaque && ds[1].opaque);
    });

    it('a Lua body that never closes is one clear error, not a hang', () => {
      const p = parse('content_by_lua_block { ngx.say("x")\n');
      assert.strictEqual(p.directives.length, 1);
      assert.ok(p.problems.some((x) => /never closed/.test(x.message)));
    });

    it('the directives after a Lua block in a server are found (not swallowed)', () => {
      const ds = [...allDirectives(clean('server { location / { content_by_lua_block { return } } proxy_pass http://x; }'))];
      assert.deepStrictEqual(ds.map((d) => d.name), ['server', 'location', 'content_by_lua_block', 'proxy_pass']);
    });
  });

  describe('line endings and encodings', () => {
    it('CRLF files: CR is whitespace, values carry no \\r, ranges stop before it', () => {
      const text = 'http {\r\n  server_name a.example; # c\r\n  listen 80;\r\n}\r\n';
      const [http] = clean(text);
      assert.deepStrictEqual(http.block!.map((d) => values(d)), [['a.example'], ['80']]);
      const listen = http.block![1];
      assert.strictEqual(at(text, listen.start, listen.end), 'listen 80;');
      assert.strictEqual(text[http.blockEnd!], '}');
    });

    it('a lone CR (old Mac line ending) separates tokens', () => {
      const [a, b] = clean('listen 80;\rserver_name x;');
      assert.deepStrictEqual([a.name, b.name], ['listen', 'server_name']);
    });

    it('a BOM is reported (nginx refuses it) and the rest still parses with offsets into the text', () => {
      const text = '\ufeffevents {}\nhttp { }';
      const p = parse(text);
      assert.deepStrictEqual(p.directives.map((d) => d.name), ['events', 'http']);
      assert.strictEqual(p.directives[0].start, 1);
      assert.strictEqual(p.problems.length, 1);
      assert.strictEqual(p.problems[0].severity, 'error');
      assert.match(p.problems[0].message, /byte order mark/);
      assert.deepStrictEqual([p.problems[0].start, p.problems[0].end], [0, 1]);
    });

    it('non-ASCII text in values and comments is kept as written', () => {
      const [d] = clean('# café\nreturn 200 "héllo ✓";');
      assert.strictEqual(d.args[1].value, 'héllo ✓');
    });
  });

  describe('syntax errors are collected, parsing goes on', () => {
    it('missing ; before } names the directive and keeps the block structure', () => {
      const p = parse('server { listen 80 }\nevents {}');
      assert.deepStrictEqual(p.directives.map((d) => d.name), ['server', 'events']);
      assert.ok(p.problems.some((x) => /'listen' directive is missing its ';'/.test(x.message)));
    });

    it("unexpected ';' and '{' without a name", () => {
      const p = parse(';\n{ listen 80; }\nevents {}');
      assert.deepStrictEqual(p.directives.map((d) => d.name), ['events']);
      assert.strictEqual(p.problems.length, 2);
    });
  });
});
