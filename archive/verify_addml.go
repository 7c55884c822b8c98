package archive

import (
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// maxADDML caps the size of arkivuttrekk.xml read into memory; the real ones
// are about 20 kB.
const maxADDML = 16 << 20

// addmlInfo is what the verifier needs from arkivuttrekk.xml.
type addmlInfo struct {
	files         []addmlFile
	objects       []*addmlObject
	documentFiles int // antallDokumentfiler; -1 when missing
	sharp         bool
}

type addmlFile struct {
	name, algorithm, checksum string
}

type addmlObject struct {
	name        string
	file        string
	occurrences map[string]int
}

func (a *addmlInfo) byFile(file string) *addmlObject {
	for _, o := range a.objects {
		if o.file == file {
			return o
		}
	}
	return nil
}

func (v *verifier) readADDML() {
	f, err := v.root.Open(FileArkivuttrekk)
	if err != nil {
		v.notRun("arkivuttrekk.xml is missing", "N5.02", "N5.10", "N5.16", "N5.28", "N5.61")
		return
	}
	defer f.Close()
	info, err := parseADDML(&countReader{r: f, v: v})
	if err != nil {
		v.add("N5.03", Error, FileArkivuttrekk, "cannot read: %s", err)
		v.notRun("arkivuttrekk.xml could not be read", "N5.02", "N5.10", "N5.16", "N5.28", "N5.61")
		return
	}
	v.add("N5.03", Info, FileArkivuttrekk, "well-formed; XSD validation is not run here (xmllint --schema does it)")
	v.addml = info
}

type addmlError string

func (e addmlError) Error() string { return string(e) }

// parseADDML reads the parts of an ADDML document the checks use.
func parseADDML(r io.Reader) (*addmlInfo, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxADDML+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxADDML {
		return nil, addmlError("larger than 16 MB")
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, addmlError(errText(err))
	}
	root := doc.Root()
	if root == nil || root.Tag != "addml" {
		return nil, addmlError("root element is not <addml>")
	}
	info := &addmlInfo{documentFiles: -1, sharp: true}
	info.readAdditionalInfo(root)
	info.readDataObjects(root)
	info.dedupFiles()
	return info, nil
}

// readAdditionalInfo reads the extract as a whole: the top dataObject's
// additionalInfo.
func (info *addmlInfo) readAdditionalInfo(root *etree.Element) {
	for _, p := range root.FindElements("//property[@name='additionalInfo']/properties/property") {
		switch p.SelectAttrValue("name", "") {
		case "antallDokumentfiler":
			if n, err := strconv.Atoi(valueOf(p)); err == nil && n >= 0 {
				info.documentFiles = n
			}
		case "periode":
			for _, s := range p.FindElements("./properties/property") {
				if strings.EqualFold(valueOf(s), "mykt") {
					info.sharp = false
				}
			}
		}
	}
}

// readDataObjects reads each file-backed dataObject: its file, checksum and
// counts, and the schema files it names.
func (info *addmlInfo) readDataObjects(root *etree.Element) {
	for _, obj := range root.FindElements("//dataObject") {
		props := obj.SelectElement("properties")
		if props == nil {
			continue
		}
		var o *addmlObject
		for _, p := range props.SelectElements("property") {
			switch p.SelectAttrValue("name", "") {
			case "file":
				fl := fileOf(p)
				if fl.name == "" {
					continue
				}
				info.files = append(info.files, fl)
				o = &addmlObject{name: obj.SelectAttrValue("name", ""), file: fl.name, occurrences: map[string]int{}}
				info.objects = append(info.objects, o)
			case "schema":
				if f := p.FindElement("./properties/property[@name='file']"); f != nil {
					if fl := fileOf(f); fl.name != "" {
						info.files = append(info.files, fl)
					}
				}
			case "info":
				if o != nil {
					o.readOccurrences(p)
				}
			}
		}
	}
}

// readOccurrences reads the numberOfOccurrences of an info property.
func (o *addmlObject) readOccurrences(p *etree.Element) {
	for _, occ := range p.FindElements("./properties/property[@name='numberOfOccurrences']") {
		what := valueOf(occ)
		val := occ.FindElement("./properties/property[@name='value']")
		if what == "" || val == nil {
			continue
		}
		if n, err := strconv.Atoi(valueOf(val)); err == nil {
			o.occurrences[what] = n
		}
	}
}

// dedupFiles keeps one entry per file: a schema listed by several objects
// (metadatakatalog.xsd) counts once, with a checksum if any entry has one.
func (info *addmlInfo) dedupFiles() {
	seen := map[string]int{}
	files := info.files[:0]
	for _, f := range info.files {
		if i, ok := seen[f.name]; ok {
			if files[i].checksum == "" {
				files[i] = f
			}
			continue
		}
		seen[f.name] = len(files)
		files = append(files, f)
	}
	info.files = files
}

// fileOf reads a property name="file": its name and checksum.
func fileOf(p *etree.Element) addmlFile {
	var f addmlFile
	if n := p.FindElement("./properties/property[@name='name']"); n != nil {
		f.name = valueOf(n)
	}
	if c := p.FindElement("./properties/property[@name='checksum']"); c != nil {
		if a := c.FindElement("./properties/property[@name='algorithm']"); a != nil {
			f.algorithm = valueOf(a)
		}
		if val := c.FindElement("./properties/property[@name='value']"); val != nil {
			f.checksum = valueOf(val)
		}
	}
	if !isLocalName(f.name) {
		f.name = ""
	}
	return f
}

// isLocalName accepts a plain file name in the extract's top folder.
func isLocalName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

func valueOf(p *etree.Element) string {
	if v := p.SelectElement("value"); v != nil {
		return strings.TrimSpace(v.Text())
	}
	return ""
}
