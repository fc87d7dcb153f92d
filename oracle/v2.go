package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"

	yaml "gopkg.in/yaml.v2"
)

// The v2 reading: kubectl's. kubectl decodes YAML with sigs.k8s.io/yaml, which is
// gopkg.in/yaml.v2 (non-strict) into interface{}, then turns every mapping key into a JSON
// object key (sigs.k8s.io/yaml convertToJSONableObject), then encodes JSON. So:
//   - values: v2's own decoding into interface{} (YAML 1.1 types: `yes` is a bool; a
//     timestamp is a string; merge keys applied v2's way);
//   - then the JSON model: every key a string (`1`, `"1"`, `0x1` all become "1"; `true`,
//     `yes`, `on` all become "true"), numbers as JSON numbers (`1.0` is the integer 1),
//     NaN and infinities unreadable (encoding/json refuses them);
//   - duplicate keys: any two explicit keys of one mapping that become the same JSON key.
//     They are found by decoding a second time into yaml.MapSlice (which keeps every
//     explicit key, and in v2 also drops merged keys).
type v2Reader struct{}

func (v2Reader) Name() string { return "v2" }

func (v2Reader) Read(data []byte) ([]Doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var vals []interface{}
	for i := 0; ; i++ {
		var x interface{}
		err := dec.Decode(&x)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		vals = append(vals, x)
	}
	docs := make([]Doc, len(vals))
	for i, x := range vals {
		v, err := jsonable(x, "")
		if err != nil {
			return nil, fmt.Errorf("document %d: kubectl cannot turn it into JSON: %v", i, err)
		}
		docs[i].Root = v
	}
	dec = yaml.NewDecoder(bytes.NewReader(data))
	for i := range docs {
		var r v2Ordered
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("document %d (ordered reading): %v", i, err)
		}
		docs[i].Dups = v2Dups(r.v, "", nil)
	}
	return docs, nil
}

// v2Ordered decodes a document with every mapping as a yaml.MapSlice.
type v2Ordered struct{ v interface{} }

func (o *v2Ordered) UnmarshalYAML(u func(interface{}) error) error {
	var ms yaml.MapSlice
	if err := u(&ms); err == nil && ms != nil {
		o.v = ms
		return nil
	}
	var seq []v2Ordered
	if err := u(&seq); err == nil {
		items := make([]interface{}, len(seq))
		for i := range seq {
			items[i] = seq[i].v
		}
		o.v = items
		return nil
	}
	var x interface{}
	if err := u(&x); err != nil {
		return err
	}
	o.v = x
	return nil
}

func v2Dups(x interface{}, path string, out []Dup) []Dup {
	switch t := x.(type) {
	case yaml.MapSlice:
		seen := map[string]interface{}{}
		for _, it := range t {
			ks, err := jsonKey(it.Key)
			p := path + "/" + escapeToken(ks)
			if err == nil {
				if prev, ok := seen[ks]; ok {
					out = append(out, Dup{
						Path: path, Rule: "v2-json", ID: "v2-json|" + ks,
						Detail: fmt.Sprintf("%s and %s both become the JSON key %s", v2Spell(prev), v2Spell(it.Key), strconv.Quote(ks)),
					})
				} else {
					seen[ks] = it.Key
				}
			}
			out = v2Dups(it.Value, p, out)
		}
	case []interface{}:
		for i, it := range t {
			out = v2Dups(it, path+"/"+strconv.Itoa(i), out)
		}
	}
	return out
}

func v2Spell(k interface{}) string {
	switch t := k.(type) {
	case string:
		return "string " + quote(t)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T %v", k, k)
}

// jsonKey: sigs.k8s.io/yaml's conversion of a v2 map key to a JSON object key.
func jsonKey(k interface{}) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, nil
	case bool:
		if t {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("unsupported map key of type: %s, key: %+#v", reflect.TypeOf(k), k)
}

// jsonable: a v2 value as kubectl's JSON holds it.
func jsonable(x interface{}, path string) (*Value, error) {
	switch t := x.(type) {
	case map[interface{}]interface{}:
		// Two keys that become one JSON key: kubectl keeps one at random (map order); the
		// judge keeps the one that sorts first, and the duplicate is reported anyway.
		type kv struct {
			ks  string
			key interface{}
		}
		keys := make([]kv, 0, len(t))
		for k := range t {
			ks, err := jsonKey(k)
			if err != nil {
				return nil, fmt.Errorf("at %s: %v", pointerOrRoot(path), err)
			}
			keys = append(keys, kv{ks, k})
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].ks != keys[j].ks {
				return keys[i].ks < keys[j].ks
			}
			return fmt.Sprintf("%T", keys[i].key) < fmt.Sprintf("%T", keys[j].key)
		})
		m := &Value{Kind: Map, index: map[string]int{}}
		for _, k := range keys {
			kv := strV(k.ks)
			if _, ok := m.lookup(kv.ID()); ok {
				continue
			}
			v, err := jsonable(t[k.key], path+"/"+escapeToken(k.ks))
			if err != nil {
				return nil, err
			}
			m.set(kv, v)
		}
		return m, nil
	case []interface{}:
		s := &Value{Kind: Seq, Items: make([]*Value, len(t))}
		for i, it := range t {
			v, err := jsonable(it, path+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			s.Items[i] = v
		}
		return s, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("at %s: json: unsupported value: %v", pointerOrRoot(path), t)
		}
		b, _ := json.Marshal(t)
		return jsonNumber(string(b)), nil
	case string:
		if !utf8.ValidString(t) {
			// encoding/json writes each invalid byte as U+FFFD.
			b, _ := json.Marshal(t)
			var s string
			_ = json.Unmarshal(b, &s)
			t = s
		}
		return strV(t), nil
	}
	v := goValue(x)
	if v == nil {
		return nil, fmt.Errorf("at %s: v2 decoded %T, which the judge does not know", pointerOrRoot(path), x)
	}
	return v, nil
}

// jsonNumber: a JSON number as a Kubernetes client decodes it (an integer when it is one).
func jsonNumber(s string) *Value {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intV(s)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return &Value{Kind: Float, F: f}
}
