package archive

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// addml fills the official arkivuttrekk.xml template. Working on the
// template's own DOM keeps its element order, comments and layout exactly;
// only the values change.
func (w *Writer) addml(sum *Summary) ([]byte, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromBytes(addmlTemplate()); err != nil {
		return nil, fmt.Errorf("archive: ADDML template: %w", err)
	}
	f := &addmlFiller{doc: doc}
	root := doc.Root()
	if err := w.fillContext(f, root); err != nil {
		return nil, err
	}
	period := f.find(root, "./dataset/reference/content/additionalElements/additionalElement[@name='archivalPeriod']/properties")
	f.set(period, "./property[@name='startDate']/value", sum.Start.String())
	f.set(period, "./property[@name='endDate']/value", sum.End.String())
	top := f.find(root, "./dataset/dataObjects/dataObject[@name='Noark 5-arkivuttrekk']")
	w.fillAdditionalInfo(f, top, sum)
	fillObjects(f, top, sum)
	if f.err != nil {
		return nil, f.err
	}
	doc.WriteSettings.CanonicalEndTags = false
	return doc.WriteToBytes()
}

// fillContext fills the record creators (one recordCreator per Arkivskaper,
// copies of the template's one) and the system and archive names.
func (w *Writer) fillContext(f *addmlFiller, root *etree.Element) error {
	ctxEls := root.FindElement("./dataset/reference/context/additionalElements")
	creators := f.find(ctxEls, "./additionalElement[@name='recordCreators']/additionalElements")
	if creators != nil {
		tmpl := creators.FindElement("./additionalElement[@name='recordCreator']")
		if tmpl == nil {
			return fmt.Errorf("archive: ADDML template has no recordCreator")
		}
		ws := precedingSpace(tmpl)
		prev := tmpl
		for i, cr := range w.ex.Archive.Creators {
			el := tmpl
			if i > 0 {
				el = tmpl.Copy()
				at := prev.Index() + 1
				creators.InsertChildAt(at, etree.NewText(ws))
				creators.InsertChildAt(at+1, el)
			}
			f.set(el, "./value", cr.Name)
			prev = el
		}
	}
	f.set(ctxEls, "./additionalElement[@name='systemType']/value", or(w.ex.SystemType, "Sakarkiv (Noark-5)"))
	f.set(ctxEls, "./additionalElement[@name='systemName']/value", or(w.ex.SystemName, "grunnmur"))
	f.set(ctxEls, "./additionalElement[@name='archive']/value", w.ex.Archive.Title)
	return nil
}

// fillAdditionalInfo fills the extract's additionalInfo: the period's
// boundaries, screening, discarding and the number of document files.
func (w *Writer) fillAdditionalInfo(f *addmlFiller, top *etree.Element, sum *Summary) {
	info := f.find(top, "./properties/property[@name='info']/properties/property[@name='additionalInfo']/properties")
	skille := "skarpt"
	if w.ex.SoftPeriod {
		skille = "mykt"
	}
	f.set(info, "./property[@name='periode']/properties/property[@name='inngaaendeSkille']/value", skille)
	f.set(info, "./property[@name='periode']/properties/property[@name='utgaaendeSkille']/value", skille)
	f.set(info, "./property[@name='inneholderSkjermetInformasjon']/value", strconv.FormatBool(sum.Screened))
	f.set(info, "./property[@name='omfatterDokumenterSomErKassert']/value", "false")
	f.set(info, "./property[@name='inneholderDokumenterSomSkalKasseres']/value", "false")
	f.set(info, "./property[@name='inneholderVirksomhetsspesifikkeMetadata']/value", "false")
	f.set(info, "./property[@name='antallDokumentfiler']/value", strconv.Itoa(sum.Documents))
}

// fillObjects fills each XML file's dataObject: its checksum, its schemas'
// checksums and its element counts.
func fillObjects(f *addmlFiller, top *etree.Element, sum *Summary) {
	objects := []struct {
		name, file string
		counts     map[string]int
	}{
		{"arkivstruktur", FileArkivstruktur, map[string]int{"mappe": sum.Cases, "registrering": sum.Records}},
		{"endringslogg", FileEndringslogg, map[string]int{"endring": sum.Changes}},
		{"loependeJournal", FileLoependeJournal, map[string]int{"journalregistrering": sum.Records}},
		{"offentligJournal", FileOffentligJournal, map[string]int{"journalregistrering": sum.Records}},
	}
	for _, o := range objects {
		obj := f.find(top, "./dataObjects/dataObject[@name='"+o.name+"']/properties")
		f.set(obj, "./property[@name='file']/properties/property[@name='checksum']/properties/property[@name='value']/value", sum.Checksums[o.file])
		if obj == nil {
			continue
		}
		for _, schema := range obj.FindElements("./property[@name='schema']/properties/property[@name='file']/properties") {
			name := schema.FindElement("./property[@name='name']/value")
			sumEl := schema.FindElement("./property[@name='checksum']/properties/property[@name='value']/value")
			if name != nil && sumEl != nil {
				sumEl.SetText(officialSHA256(strings.TrimSpace(name.Text())))
			}
		}
		for _, occ := range obj.FindElements("./property[@name='info']/properties/property[@name='numberOfOccurrences']") {
			what := strings.TrimSpace(occ.SelectElement("value").Text())
			n, ok := o.counts[what]
			if !ok {
				f.err = fmt.Errorf("archive: ADDML template counts unknown element %q", what)
				continue
			}
			f.set(occ, "./properties/property[@name='value']/value", strconv.Itoa(n))
		}
	}
}

type addmlFiller struct {
	doc *etree.Document
	err error
}

func (f *addmlFiller) find(el *etree.Element, path string) *etree.Element {
	if el == nil {
		return nil
	}
	found := el.FindElement(path)
	if found == nil && f.err == nil {
		f.err = fmt.Errorf("archive: ADDML template has no %s under %s", path, el.GetPath())
	}
	return found
}

func (f *addmlFiller) set(el *etree.Element, path, value string) {
	if t := f.find(el, path); t != nil {
		t.SetText(sanitize(value))
	}
}

// precedingSpace returns the whitespace text before el, to indent a copy.
func precedingSpace(el *etree.Element) string {
	p := el.Parent()
	i := el.Index()
	if p != nil && i > 0 {
		if cd, ok := p.Child[i-1].(*etree.CharData); ok && strings.TrimSpace(cd.Data) == "" {
			return cd.Data
		}
	}
	return "\n"
}

// sanitize replaces the characters XML 1.0 forbids with U+FFFD.
func sanitize(s string) string {
	ok := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if forbidden(r, size) {
			ok = false
			break
		}
		i += size
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if forbidden(r, size) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func forbidden(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r < 0x20:
		return r != '\t' && r != '\n' && r != '\r'
	case r == 0xFFFE || r == 0xFFFF:
		return true
	}
	return false
}
