package main

import (
	"fmt"
	"strconv"
	"strings"
)

// The target check (--target): with the default configuration, every Kubernetes
// Deployment named ml-pipeline-ui must, as the reader reads the OUTPUT, have on every
// container named ml-pipeline-ui (in containers or initContainers) at least one env entry
// named DISABLE_GKE_METADATA, and every such entry must hold the string "true" and no
// valueFrom. This catches a target the function did not see (a name behind a merge key,
// containers behind an alias, a duplicate `env` that readers keep instead of the edited
// one), which the changes alone cannot show: a run that changes nothing claims nothing.

const (
	targetName = "ml-pipeline-ui"
	envName    = "DISABLE_GKE_METADATA"
	envValue   = "true"
)

func mapGet(v *Value, key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	if i, ok := v.lookup(strV(key).ID()); ok {
		return v.Vals[i]
	}
	return nil
}

func strAt(v *Value, key string) (string, bool) {
	s := mapGet(v, key)
	if s == nil || s.Kind != Str || s.Tag != "" {
		return "", false
	}
	return s.S, true
}

type object struct {
	path string
	v    *Value
}

// objects: the items of a ResourceList or a List (recursively), or the document itself.
// skip: why the check does not apply (a ResourceList's own functionConfig sets values).
func objects(root *Value, path string, out []object) ([]object, string) {
	kind, _ := strAt(root, "kind")
	if kind == "ResourceList" && path == "" {
		fc := mapGet(root, "functionConfig")
		for _, k := range []string{"data", "spec"} {
			if d := mapGet(fc, k); d != nil && d.Kind == Map && len(d.Keys) > 0 {
				return out, "the ResourceList has a functionConfig with " + k
			}
		}
	}
	if kind == "ResourceList" || kind == "List" {
		if items := mapGet(root, "items"); items != nil && items.Kind == Seq {
			var skip string
			for i, it := range items.Items {
				out, skip = objects(it, path+"/items/"+strconv.Itoa(i), out)
				if skip != "" {
					return out, skip
				}
			}
			return out, ""
		}
	}
	return append(out, object{path, root}), ""
}

// CheckTargets returns the first problem found, or why the check was skipped.
func CheckTargets(docs []Doc) (problem, skipped string) {
	for d, doc := range docs {
		objs, skip := objects(doc.Root, "", nil)
		if skip != "" {
			return "", skip
		}
		for _, o := range objs {
			kind, _ := strAt(o.v, "kind")
			api, _ := strAt(o.v, "apiVersion")
			name, _ := strAt(mapGet(o.v, "metadata"), "name")
			if kind != "Deployment" || name != targetName ||
				!(strings.HasPrefix(api, "apps/") || strings.HasPrefix(api, "extensions/")) {
				continue
			}
			pod := mapGet(mapGet(mapGet(o.v, "spec"), "template"), "spec")
			for _, list := range []string{"containers", "initContainers"} {
				cs := mapGet(pod, list)
				if cs == nil || cs.Kind != Seq {
					continue
				}
				for ci, c := range cs.Items {
					if n, _ := strAt(c, "name"); n != targetName {
						continue
					}
					at := fmt.Sprintf("doc %d %s/spec/template/spec/%s/%d", d, o.path, list, ci)
					if p := checkEnv(mapGet(c, "env")); p != "" {
						return "target check: " + at + ": " + p, ""
					}
				}
			}
		}
	}
	return "", ""
}

func checkEnv(env *Value) string {
	if env == nil {
		return "no env, so " + envName + " is not set"
	}
	if env.Kind != Seq {
		return "env is a " + env.Describe() + ", not a list"
	}
	found := 0
	for i, e := range env.Items {
		if n, _ := strAt(e, "name"); n != envName {
			continue
		}
		found++
		if mapGet(e, "valueFrom") != nil {
			return fmt.Sprintf("env/%d (%s) still has a valueFrom", i, envName)
		}
		v := mapGet(e, "value")
		if v == nil {
			return fmt.Sprintf("env/%d (%s) has no value", i, envName)
		}
		if v.Kind != Str || v.Tag != "" || v.S != envValue {
			return fmt.Sprintf("env/%d (%s) is %s, expected string %q", i, envName, v.Describe(), envValue)
		}
	}
	if found == 0 {
		return "env has no " + envName + " entry"
	}
	return ""
}
