// yaml-judge: an independent judge of the function's output, reading YAML the way the Go
// tools that consume it do (go-yaml v3: kyaml, kpt, kustomize; go-yaml v2 through
// sigs.k8s.io/yaml: kubectl). See README.md.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

const usage = `usage:
  yaml-judge [--reader v3|v2|both] INPUT OUTPUT CHANGES.json
  yaml-judge [--reader v3|v2|both] --batch LIST     (LIST: lines INPUT<TAB>OUTPUT<TAB>CHANGES; - for stdin)

Prints one line per reader and triple: STATUS<TAB>READER<TAB>INPUT<TAB>MESSAGE.
Exit: 0 ok; 1 a judgement failed; 2 usage or I/O error; 3 an input cannot be read by a
reader (cannot judge); 4 the input has duplicate keys (otherwise ok).
`

func main() {
	// Both readers allocate a tree per document; memory is cheaper than collections here.
	debug.SetGCPercent(400)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("yaml-judge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	reader := fs.String("reader", "both", "v3, v2 or both")
	batch := fs.String("batch", "", "judge the triples listed in this file (- for stdin)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var readers []Reader
	switch *reader {
	case "v3":
		readers = []Reader{v3Reader{}}
	case "v2":
		readers = []Reader{v2Reader{}}
	case "both":
		readers = []Reader{v3Reader{}, v2Reader{}}
	default:
		fmt.Fprintf(stderr, "yaml-judge: --reader %q: expected v3, v2 or both\n", *reader)
		return 2
	}
	var triples [][3]string
	if *batch != "" {
		if fs.NArg() != 0 {
			fs.Usage()
			return 2
		}
		var f io.Reader = os.Stdin
		if *batch != "-" {
			file, err := os.Open(*batch)
			if err != nil {
				fmt.Fprintf(stderr, "yaml-judge: %v\n", err)
				return 2
			}
			defer file.Close()
			f = file
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" {
				continue
			}
			parts := strings.Split(line, "\t")
			if len(parts) != 3 {
				fmt.Fprintf(stderr, "yaml-judge: %s line %d: expected INPUT<TAB>OUTPUT<TAB>CHANGES\n", *batch, n)
				return 2
			}
			triples = append(triples, [3]string{parts[0], parts[1], parts[2]})
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "yaml-judge: %v\n", err)
			return 2
		}
	} else {
		if fs.NArg() != 3 {
			fs.Usage()
			return 2
		}
		triples = [][3]string{{fs.Arg(0), fs.Arg(1), fs.Arg(2)}}
	}
	worst := OK
	ioError := false
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, t := range triples {
		verdicts, err := judgeFiles(readers, t[0], t[1], t[2])
		if err != nil {
			fmt.Fprintf(w, "ERROR\t-\t%s\t%v\n", t[0], err)
			ioError = true
			continue
		}
		for _, v := range verdicts {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.Status, v.Reader, t[0], oneLine(v.Message))
			if v.Status > worst {
				worst = v.Status
			}
		}
		w.Flush()
	}
	if worst == Fail {
		return 1
	}
	if ioError {
		return 2
	}
	return worst.ExitCode()
}

func judgeFiles(readers []Reader, inPath, outPath, changesPath string) ([]Verdict, error) {
	input, err := os.ReadFile(inPath)
	if err != nil {
		return nil, err
	}
	output, err := os.ReadFile(outPath)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(changesPath)
	if err != nil {
		return nil, err
	}
	changes, err := ParseChanges(raw)
	if err != nil {
		var vs []Verdict
		for _, r := range readers {
			vs = append(vs, Verdict{Reader: r.Name(), Status: Fail, Message: "changes file " + changesPath + ": " + err.Error()})
		}
		return vs, nil
	}
	var vs []Verdict
	for _, r := range readers {
		vs = append(vs, Judge(r, input, output, changes))
	}
	return vs, nil
}

// oneLine keeps a verdict on one line whatever the messages hold.
func oneLine(s string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}
