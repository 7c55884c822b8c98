package archive

import (
	"encoding/xml"
	"fmt"
)

// The checks of the change log, endringslogg.xml: its number of changes
// against ADDML (N5.61). Its references (N5.62) are collected here and
// resolved with the others in verify_ids.go.

// verifyEndringslogg takes the scan of the change log. Its references are
// kept only when arkivstruktur.xml could be read, since they are resolved
// against it.
func (v *verifier) verifyEndringslogg(b *besideScan, sums map[string]string, structureOK bool) {
	skip := []string{"N5.62"} // the references' results
	if structureOK {
		skip = nil
		v.changes = b.fork.refs
	} else {
		b.fork.refs.close()
	}
	if !v.join(b, sums, skip...) {
		v.notRun("endringslogg.xml could not be read", "N5.61", "N5.62")
		return
	}
	v.compareCount("N5.61", FileEndringslogg, "endring", b.info.entries)
	v.add("N5.61", Info, FileEndringslogg, "%d changes logged", b.info.entries)
}

func (v *verifier) scanEndringslogg(s *xmlScan, j *journalInfo, checkRefs bool) error {
	return s.walk(func(t xml.StartElement) error {
		switch s.depth() {
		case 0:
			if t.Name.Local != "endringslogg" {
				return fmt.Errorf("root element is <%s>, not <endringslogg>", t.Name.Local)
			}
		case 1:
			if t.Name.Local == "endring" {
				j.entries++
			}
		}
		return nil
	}, func(f, parent *frame) {
		if checkRefs && parent.name == "endring" && f.name == "referanseArkivenhet" {
			v.changeReference(s, f)
		}
	})
}
