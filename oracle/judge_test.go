package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var both = []Reader{v3Reader{}, v2Reader{}}

func read(t *testing.T, r Reader, s string) []Doc {
	t.Helper()
	docs, err := r.Read([]byte(s))
	if err != nil {
		t.Fatalf("%s: %q: %v", r.Name(), s, err)
	}
	return docs
}

// Streams both readers accept: their document count is the YAML spec's.
func TestDocumentCountMatchesTheSpec(t *testing.T) {
	cases := []struct {
		stream string
		docs   int
	}{
		{"", 0},
		{"\n\n", 0},
		{"# only a comment\n", 0},
		{"---\n", 1},                   // an explicit empty document: null
		{"---", 1},                     // without a line break
		{"---\n---\n", 2},              // two
		{"a: 1\n---\n", 2},             // a trailing `---` starts a (null) document
		{"a: 1\n--- # c\n", 2},         // even with a comment after it
		{"a: 1\n...\n", 1},             // `...` ends a document, starts none
		{"a: 1\n...\n# c\n", 1},        // a comment after `...` is no document
		{"a: 1\n...\n---\n", 2},        // `...` then `---`
		{"a: 1\n---\n...\n", 2},        // `---` then `...`: an empty document
		{"---\n...\n---\n...\n", 2},    // two explicit empty ones
		{"---\n# only a comment\n", 1}, // a comment-only explicit document is a null
		{"--- a\n...\n--- b\n", 2},     // content on the `---` line
		{"--- |\n  x\n", 1},            // a block scalar at the top
		{"%YAML 1.1\n---\na\n", 1},     // a directive
		{"\ufeffa: 1\n", 1},            // a byte order mark
		{"a: 1\r\n---\r\nb: 2\r\n", 2}, // CRLF
		{"a: 1\n---\nb: 2\n---\n", 3},  // a kustomize stream ending in `---`
		{"---\na: 1\n---\nb: 2\n", 2},  // a leading `---` starts the first document
		{"a: 1\n--- \nb: 2\n", 2},      // `--- ` with a trailing space
		{"a: 1\n---\t\nb: 2\n", 2},     // `---` with a trailing tab
		{"a: |\n  x\n---\nb: 2\n", 2},  // a block scalar ends at `---`
		{"a\n----\n", 1},               // `----` is no marker: a plain scalar "a ----"
		{"a\n---b\n", 1},               // `---b` is text
	}
	for _, c := range cases {
		for _, r := range both {
			if got := len(read(t, r, c.stream)); got != c.docs {
				t.Errorf("%s: %q: %d documents, the spec says %d", r.Name(), c.stream, got, c.docs)
			}
		}
	}
}

// Where go-yaml (both versions: the same libyaml port, YAML 1.1 stream rules) departs from
// YAML 1.2. Pinned so that a library change shows up.
func TestQuirksOfGoYAMLStreams(t *testing.T) {
	refused := []struct{ stream, why string }{
		{"...\n", "a `...` with no document before it (YAML 1.2: zero documents)"},
		{"# c\n...\n", "the same after a comment"},
		{"a\n...\nb\n", "a bare document after `...` (YAML 1.2: two documents; 1.1 wants `---`)"},
		{"%YAML 1.2\n---\na\n", "a %YAML 1.2 directive (only 1.1 is accepted)"},
		{"a: \"x\n---\n\"\n", "`---` at column 0 inside a quoted scalar (YAML 1.2 forbids it too)"},
	}
	for _, c := range refused {
		for _, r := range both {
			if _, err := r.Read([]byte(c.stream)); err == nil {
				t.Errorf("%s: %q: read; expected a refusal: %s", r.Name(), c.stream, c.why)
			}
		}
	}
	counted := []struct {
		stream string
		goyaml int
		why    string
	}{
		{"a\n\ufeff---\nb\n", 1, "a BOM before `---` inside the stream is text (YAML 1.2: two documents)"},
		{"a: b\u0085---\u0085c\n", 2, "NEL is a line break, so `---` between NELs is a marker (YAML 1.2: one document)"},
		{"a: b\u2028---\u2028c\n", 2, "LS likewise"},
		{"a: b # c\u2029---\n", 2, "PS ends a comment"},
	}
	for _, c := range counted {
		for _, r := range both {
			if got := len(read(t, r, c.stream)); got != c.goyaml {
				t.Errorf("%s: %q: %d documents, expected %d: %s", r.Name(), c.stream, got, c.goyaml, c.why)
			}
		}
	}
}

func TestLineBreakCharactersEndComments(t *testing.T) {
	// A comment holding NEL, LS or PS ends there for go-yaml: what follows is YAML.
	for _, sep := range []string{"\u0085", "\u2028", "\u2029"} {
		for _, r := range both {
			root := read(t, r, "a: 1 # x"+sep+"b: 2\n")[0].Root
			if len(root.Keys) != 2 {
				t.Errorf("%s: %q in a comment: %d keys, expected 2", r.Name(), sep, len(root.Keys))
			}
		}
	}
}

func dups(t *testing.T, r Reader, s string) []Dup {
	t.Helper()
	var all []Dup
	for _, d := range read(t, r, s) {
		all = append(all, d.Dups...)
	}
	return all
}

func TestKeyIdentity(t *testing.T) {
	cases := []struct {
		yaml   string
		v3, v2 string // the rule that finds the duplicate, or ""
	}{
		{"{env: 1, env: 2}", "v3-text", "v2-json"},
		{"{env: 1, \"env\": 2}", "v3-text", "v2-json"},
		{"{env: 1, 'env': 2}", "v3-text", "v2-json"},
		{"{env: 1, !!str env: 2}", "v3-text", "v2-json"},
		{"{env: 1, \"\\x65nv\": 2}", "v3-text", "v2-json"},
		{"{env: 1, \"\\u0065nv\": 2}", "v3-text", "v2-json"},
		{"env: 1\n? env\n: 2\n", "v3-text", "v2-json"},
		{"{env: 1, envx: 2}", "", ""},
		{"{1: a, 0x1: b}", "v3-value", "v2-json"},
		{"{1: a, 01: b}", "v3-value", "v2-json"},
		{"{1: a, \"1\": b}", "v3-text", "v2-json"}, // v3 compares text, whatever the type
		{"{1: a, 1.0: b}", "", "v2-json"},          // float 1 and int 1: one JSON key "1"
		{"{true: a, yes: b}", "", "v2-json"},       // `yes` is a bool to v2 only
		{"{true: a, \"true\": b}", "v3-text", "v2-json"},
		{"{on: a, ON: b}", "", "v2-json"},
		{"{y: a, true: b}", "", "v2-json"},               // even `y` is a bool to v2
		{"{1.0000001: a, 1.00000011: b}", "", "v2-json"}, // float keys print with 32-bit precision
		{"{a: 1, <<: {a: 2}}", "", ""},                   // a merge is no duplicate
		{"{null: a, ~: b}", "v3-value", ""},              // v2: kubectl cannot read a null key at all
		{"{<<: {a: 1}, <<: {b: 2}}", "v3-text", ""},
		{"{a: 1, b: 2, c: 3}", "", ""},
	}
	for _, c := range cases {
		for _, r := range both {
			want := c.v3
			if r.Name() == "v2" {
				want = c.v2
			}
			docs, err := r.Read([]byte(c.yaml))
			if err != nil {
				if want != "" || !strings.Contains(c.yaml, "null") {
					t.Errorf("%s: %q: %v", r.Name(), c.yaml, err)
				}
				continue
			}
			got := ""
			if len(docs[0].Dups) > 0 {
				got = docs[0].Dups[0].Rule
			}
			if got != want {
				t.Errorf("%s: %q: duplicate rule %q, expected %q (%v)", r.Name(), c.yaml, got, want, docs[0].Dups)
			}
		}
	}
}

func get(t *testing.T, v *Value, path string) *Value {
	t.Helper()
	toks, _ := splitPointer(path)
	for _, tok := range toks {
		c, err := child(v, tok)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		v = c
	}
	return v
}

func TestReadersTypeScalarsTheirOwnWay(t *testing.T) {
	src := `a: yes
b: 2001-12-14
c: 0644
d: 1.0
e: .nan
f: !!binary aGVsbG8=
g: "true"
h: ~
i: 12:30
j: !foo x
k: 1e3
`
	v3 := read(t, v3Reader{}, src)[0].Root
	for p, want := range map[string]string{
		"/a": "string \"yes\"", "/b": "timestamp 2001-12-14T00:00:00Z", "/c": "int 420",
		"/d": "float 1", "/e": "float NaN", "/f": "!!binary string \"hello\"", "/g": "string \"true\"",
		"/h": "null", "/i": "string \"12:30\"", "/j": "!foo string \"x\"", "/k": "float 1000",
	} {
		if got := get(t, v3, p).Describe(); !strings.HasPrefix(got, want) {
			t.Errorf("v3 %s: %s, expected %s", p, got, want)
		}
	}
	if _, err := (v2Reader{}).Read([]byte(src)); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("v2: expected NaN to be unreadable (encoding/json refuses it), got %v", err)
	}
	v2 := read(t, v2Reader{}, strings.Replace(src, "e: .nan\n", "", 1))[0].Root
	for p, want := range map[string]string{
		"/a": "bool true", "/b": "string \"2001-12-14\"", "/c": "int 420",
		"/d": "int 1", "/f": "string \"hello\"", "/g": "string \"true\"", "/h": "null",
		"/i": "string \"12:30\"", // no base 60 in go-yaml
		"/j": "string \"x\"", "/k": "int 1000",
	} {
		if got := get(t, v2, p).Describe(); !strings.HasPrefix(got, want) {
			t.Errorf("v2 %s: %s, expected %s", p, got, want)
		}
	}
}

func TestMergeKeys(t *testing.T) {
	// v3: the mapping's own keys win wherever the `<<` is; v2: the `<<` overrides the keys
	// before it.
	src := "base: &b {a: 1, b: 1}\nx: {a: 2, <<: *b, c: 3}\n"
	if got := get(t, read(t, v3Reader{}, src)[0].Root, "/x/a").Describe(); got != "int 2 (line 2)" {
		t.Errorf("v3: /x/a is %s", got)
	}
	if got := get(t, read(t, v2Reader{}, src)[0].Root, "/x/a").Describe(); got != "int 1" {
		t.Errorf("v2: /x/a is %s", got)
	}
	for _, r := range both {
		x := get(t, read(t, r, src)[0].Root, "/x")
		if len(x.Keys) != 3 {
			t.Errorf("%s: /x has %d keys", r.Name(), len(x.Keys))
		}
	}
	// A sequence of merges: the earlier map wins, for both.
	src = "p: &p {a: 1}\nq: &q {a: 2, b: 2}\nx: {<<: [*p, *q]}\n"
	for _, r := range both {
		if got := get(t, read(t, r, src)[0].Root, "/x/a").Describe(); !strings.HasPrefix(got, "int 1") {
			t.Errorf("%s: /x/a is %s", r.Name(), got)
		}
	}
	// A merge of something else is an error.
	for _, r := range both {
		if _, err := r.Read([]byte("x: {<<: 1}\n")); err == nil {
			t.Errorf("%s: merge of a scalar read", r.Name())
		}
	}
}

func TestAliasesAreIndependentCopies(t *testing.T) {
	in := "a: &x {k: 1}\nb: *x\n"
	out := "a: &x {k: \"2\"}\nb: *x\n"
	one := `{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a/k","value":"2"}]}`
	two := `{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a/k","value":"2"},{"doc":0,"op":"replace","path":"/b/k","value":"2"}]}`
	for _, r := range both {
		v := judge(t, r, in, out, one)
		if v.Status != Fail || !strings.Contains(v.Message, "/b/k") {
			t.Errorf("%s: an edit through an anchor, reported at one place: %v", r.Name(), v)
		}
		if v := judge(t, r, in, out, two); v.Status != OK {
			t.Errorf("%s: %v", r.Name(), v)
		}
	}
}

func TestAliasBombCannotBeJudged(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "hostile", "32-alias-bomb.yaml"))
	if err != nil {
		t.Skip("no testdata")
	}
	for _, r := range both {
		v := Judge(r, b, b, &Changes{Version: 1, Ops: []Op{}}, Options{})
		if v.Status != CannotJudge || !strings.Contains(v.Message, "alias") {
			t.Errorf("%s: %v", r.Name(), v)
		}
	}
}

func judge(t *testing.T, r Reader, in, out, changes string) Verdict {
	t.Helper()
	c, err := ParseChanges([]byte(changes))
	if err != nil {
		t.Fatalf("changes: %v", err)
	}
	return Judge(r, []byte(in), []byte(out), c, Options{})
}

const noOps = `{"version":1,"ops":[]}`

func TestJudgements(t *testing.T) {
	cases := []struct {
		name, in, out, changes string
		v3, v2                 Status
		msg                    string
	}{
		{"identical", "a: 1\n", "a: 1\n", noOps, OK, OK, ""},
		{"comments and style are not data", "a: 1 # c\nb: [x]\n", "a: 0x1\nb:\n- x\n", noOps, OK, OK, ""},
		{"key order is not meaning", "a: 1\nb: 2\n", "b: 2\na: 1\n", noOps, OK, OK, ""},
		{"a type change", "a: \"1\"\n", "a: 1\n", noOps, Fail, Fail, "/a: expected string \"1\""},
		{"yes is a string to v3, a bool to v2", "a: 'yes'\n", "a: yes\n", noOps, OK, Fail, "/a"},
		{"a date", "a: \"2024-01-01\"\n", "a: 2024-01-01\n", noOps, Fail, OK, "timestamp"},
		{"NaN equals NaN", "a: .nan\n", "a: .NaN\n", noOps, OK, CannotJudge, ""},
		{"a lost document", "a: 1\n---\nb: 2\n", "a: 1\n", noOps, Fail, Fail, "document count"},
		{"a trailing --- is a document", "a: 1\n", "a: 1\n---\n", noOps, Fail, Fail, "document count"},
		{"an unexpected key", "a: 1\n", "a: 1\nb: 2\n", noOps, Fail, Fail, "unexpected key \"b\""},
		{"a missing item", "a: [1, 2]\n", "a: [1]\n", noOps, Fail, Fail, "/a/1: missing item 1"},
		{"an add", "a: {}\n", "a: {env: [{name: X, value: \"true\"}]}\n",
			`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a/env","value":[{"name":"X","value":"true"}]}]}`, OK, OK, ""},
		{"an append", "a: [1]\n", "a: [1, \"x\"]\n",
			`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a/-","value":"x"}]}`, OK, OK, ""},
		{"add to an existing key is refused", "a: {k: 1}\n", "a: {k: \"2\"}\n",
			`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a/k","value":"2"}]}`, Fail, Fail, "already exists"},
		{"replace needs the key", "a: {}\n", "a: {k: \"2\"}\n",
			`{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a/k","value":"2"}]}`, Fail, Fail, "does not exist"},
		{"replace of a null", "a: {k: }\n", "a: {k: \"2\"}\n",
			`{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a/k","value":"2"}]}`, OK, OK, ""},
		{"remove then add", "a: {valueFrom: {x: 1}}\n", "a: {value: \"t\"}\n",
			`{"version":1,"ops":[{"doc":0,"op":"remove","path":"/a/valueFrom"},{"doc":0,"op":"add","path":"/a/value","value":"t"}]}`, OK, OK, ""},
		{"escaped pointers", "a/b: {\"~\": 1}\n", "a/b: {\"~\": \"2\"}\n",
			`{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a~1b/~0","value":"2"}]}`, OK, OK, ""},
		{"ops go to their document", "a: 1\n---\na: 1\n", "a: 1\n---\na: \"2\"\n",
			`{"version":1,"ops":[{"doc":1,"op":"replace","path":"/a","value":"2"}]}`, OK, OK, ""},
		{"an empty document counts", "---\n---\na: 1\n", "---\n---\na: \"2\"\n",
			`{"version":1,"ops":[{"doc":1,"op":"replace","path":"/a","value":"2"}]}`, OK, OK, ""},
		{"an empty document is null", "---\n---\na: 1\n", "---\n---\na: \"2\"\n",
			`{"version":1,"ops":[{"doc":0,"op":"replace","path":"/a","value":"2"}]}`, Fail, Fail, "not a mapping"},
		{"an op past the last document", "a: 1\n", "a: 1\n",
			`{"version":1,"ops":[{"doc":1,"op":"replace","path":"/a","value":"2"}]}`, Fail, Fail, "the input has 1 documents"},
		{"a test op", "a: \"x\"\n", "a: \"x\"\n",
			`{"version":1,"ops":[{"doc":0,"op":"test","path":"/a","value":"x"}]}`, OK, OK, ""},
		{"a failing test op", "a: \"x\"\n", "a: \"x\"\n",
			`{"version":1,"ops":[{"doc":0,"op":"test","path":"/a","value":"y"}]}`, Fail, Fail, "test failed"},
		{"an output duplicate", "env: []\n", "env: []\n\"env\": [x]\n", noOps, Fail, Fail, "output-duplicate-key"},
		{"an input duplicate, passed through", "a: 1\n\"a\": 1\n", "a: 1\n\"a\": 1\n", noOps, InputDup, InputDup, "input-duplicate-key"},
		{"a v2-only input duplicate", "{true: 1, yes: 1}\n", "{true: 1, yes: 1}\n", noOps, OK, InputDup, ""},
		{"a lost final line break", "a: 1\n", "a: 1", noOps, Fail, Fail, "final-newline"},
		{"a final line break added", "a: 1", "a: 1\n", noOps, OK, OK, ""},
		{"unreadable input", "a: [\n", "a: 1\n", noOps, CannotJudge, CannotJudge, "cannot judge"},
		{"unreadable output", "a: 1\n", "a: [\n", noOps, Fail, Fail, "output cannot be read"},
		{"a new duplicate through NEL in a comment", "env: []\nx: 1 # c\n",
			"env: []\nx: 1 # c\u0085env: [\"y\"]\n", noOps, Fail, Fail, "output-duplicate-key"},
	}
	for _, c := range cases {
		for _, r := range both {
			want := c.v3
			if r.Name() == "v2" {
				want = c.v2
			}
			v := judge(t, r, c.in, c.out, c.changes)
			if v.Status != want || (want != OK && c.msg != "" && !strings.Contains(v.Message, c.msg)) {
				t.Errorf("%s: %s: %s %q; expected %s with %q", c.name, r.Name(), v.Status, v.Message, want, c.msg)
			}
		}
	}
}

func TestChangesFileRules(t *testing.T) {
	bad := map[string]string{
		`{"version":2,"ops":[]}`: "version",
		`{"version":1}`:          "ops",
		`{"version":1,"ops":[{"op":"add","path":"/a","value":"x"}]}`:                   "doc",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a","value":true}]}`:          "non-string",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a","value":{"n":1}}]}`:       "non-string",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a","value":null}]}`:          "non-string",
		`{"version":1,"ops":[{"doc":0,"op":"move","path":"/a","from":"/b"}]}`:          "not one of",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"a","value":"x"}]}`:            "pointer",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a~2","value":"x"}]}`:         "escape",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a"}]}`:                       "value",
		`{"version":1,"ops":[],"extra":1}`:                                             "unknown field",
		`{"version":1,"ops":[{"doc":0,"op":"remove","path":"/a","value":"x"}]}`:        "unexpected",
		`{"version":1,"ops":[{"doc":0,"op":"add","path":"/a","value":{"x":1,"x":2}}]}`: "duplicate",
	}
	for s, want := range bad {
		if _, err := ParseChanges([]byte(s)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, expected an error about %q", s, err, want)
		}
	}
	ok := `{"version":1,"ops":[{"doc":0,"op":"add","path":"/results","value":[{"message":"m","severity":"info","file":{"path":"p","index":3}}]}]}`
	if _, err := ParseChanges([]byte(ok)); err != nil {
		t.Errorf("a result's file.index is an integer: %v", err)
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	w := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in, good, bad := w("in.yaml", "a: 1\n"), w("good.yaml", "a: 1\n"), w("bad.yaml", "a: 2\n")
	ch := w("c.json", noOps)
	var out, errb bytes.Buffer
	if code := run([]string{in, good, ch}, &out, &errb); code != 0 || strings.Count(out.String(), "ok\t") != 2 {
		t.Errorf("exit %d: %s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"--reader", "v2", in, bad, ch}, &out, &errb); code != 1 || !strings.HasPrefix(out.String(), "FAIL\tv2\t") {
		t.Errorf("exit %d: %s", code, out.String())
	}
	out.Reset()
	list := w("list", in+"\t"+good+"\t"+ch+"\n"+in+"\t"+bad+"\t"+ch+"\n")
	if code := run([]string{"--batch", list}, &out, &errb); code != 1 || strings.Count(out.String(), "\n") != 4 {
		t.Errorf("batch: exit %d: %s", code, out.String())
	}
	if code := run([]string{"--reader", "v4", in, good, ch}, &out, &errb); code != 2 {
		t.Errorf("bad reader: exit %d", code)
	}
	if code := run([]string{in, good}, &out, &errb); code != 2 {
		t.Errorf("two args: exit %d", code)
	}
	out.Reset()
	if code := run([]string{in, filepath.Join(dir, "missing"), ch}, &out, &errb); code != 2 {
		t.Errorf("missing file: exit %d: %s", code, out.String())
	}
	unreadable := w("u.yaml", "a: [\n")
	if code := run([]string{unreadable, good, ch}, &out, &errb); code != 3 {
		t.Errorf("unreadable input: exit %d", code)
	}
	dup := w("d.yaml", "a: 1\n'a': 1\n")
	if code := run([]string{dup, dup, ch}, &out, &errb); code != 4 {
		t.Errorf("input duplicate: exit %d", code)
	}
}

func TestTargetCheck(t *testing.T) {
	dep := func(env string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ml-pipeline-ui}\n" +
			"spec: {template: {spec: {containers: [{name: ml-pipeline-ui" + env + "}]}}}\n"
	}
	cases := []struct {
		name, out, problem string
	}{
		{"set", dep(`, env: [{name: DISABLE_GKE_METADATA, value: "true"}]`), ""},
		{"no env", dep(""), "no env"},
		{"another entry only", dep(`, env: [{name: A, value: "true"}]`), "no DISABLE_GKE_METADATA entry"},
		{"a bool", dep(`, env: [{name: DISABLE_GKE_METADATA, value: true}]`), "bool true"},
		{"one of two still false", dep(`, env: [{name: DISABLE_GKE_METADATA, value: "true"}, {name: DISABLE_GKE_METADATA, value: "false"}]`), "env/1"},
		{"valueFrom", dep(`, env: [{name: DISABLE_GKE_METADATA, value: "true", valueFrom: {}}]`), "valueFrom"},
		{"not a Kubernetes Deployment", strings.Replace(dep(""), "apps/v1", "example.com/v1", 1), ""},
		{"another container", strings.Replace(dep(""), "name: ml-pipeline-ui}]", "name: sidecar}]", 1), ""},
		{"in a List", "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSuffix(dep(""), "\n"), "\n", "\n  ") + "\n", "/items/0/spec"},
		{"a name behind a merge key", "m: &m {name: ml-pipeline-ui}\n---\n" + strings.Replace(dep(""), "metadata: {name: ml-pipeline-ui}", "metadata: {<<: {name: ml-pipeline-ui}}", 1), "doc 1"},
	}
	for _, c := range cases {
		for _, r := range both {
			docs := read(t, r, c.out)
			problem, skipped := CheckTargets(docs)
			if skipped != "" || (c.problem == "") != (problem == "") || !strings.Contains(problem, c.problem) {
				t.Errorf("%s: %s: %q (skipped %q), expected %q", c.name, r.Name(), problem, skipped, c.problem)
			}
		}
	}
	rl := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: {data: {value: \"false\"}}\n"
	if _, skipped := CheckTargets(read(t, v3Reader{}, rl)); skipped == "" {
		t.Errorf("a ResourceList with its own config: not skipped")
	}
}
