package archive

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
)

// The official Noark 5 v5.0 schemas and the ADDML template, byte for byte as
// Arkivverket publishes them (CRLF line endings included): validators compare
// the shipped schemas' checksums with the official ones.
//
//go:embed schemas/*.xsd schemas/arkivuttrekk-template.xml
var schemaFS embed.FS

// Schema file names, in the order the extract lists them.
var schemaFiles = []string{
	"arkivstruktur.xsd",
	"metadatakatalog.xsd",
	"endringslogg.xsd",
	"loependeJournal.xsd",
	"offentligJournal.xsd",
	"addml.xsd",
}

// The extract's XML files.
const (
	FileArkivstruktur    = "arkivstruktur.xml"
	FileEndringslogg     = "endringslogg.xml"
	FileLoependeJournal  = "loependeJournal.xml"
	FileOffentligJournal = "offentligJournal.xml"
	FileArkivuttrekk     = "arkivuttrekk.xml"
	DirDokumenter        = "dokumenter"
)

// Schema returns the bytes of an official schema shipped in every extract
// ("arkivstruktur.xsd", "metadatakatalog.xsd", ..., "addml.xsd").
func Schema(name string) ([]byte, bool) {
	b, err := schemaFS.ReadFile("schemas/" + name)
	if err != nil {
		return nil, false
	}
	return b, true
}

// officialSHA256 returns the hex SHA-256 of an official schema.
func officialSHA256(name string) string {
	b, ok := Schema(name)
	if !ok {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func addmlTemplate() []byte {
	b, err := schemaFS.ReadFile("schemas/arkivuttrekk-template.xml")
	if err != nil {
		panic("archive: embedded ADDML template missing: " + err.Error())
	}
	return b
}
