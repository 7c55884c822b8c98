// Package kscase reads KS' Fiks Arkiv conformance cases, vendored in
// fiksarkiv/testdata/validator, for the tests of fiksarkiv and
// fiksarkivtest:
//
//	cases, err := kscase.Load(filepath.Join("testdata", "validator"))
package kscase

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"unicode/utf16"
)

// Case is one conformance case: its testInformation.json and its request.
type Case struct {
	Name        string   // the case's folder, e.g. NyJournalpostN1
	MessageType string   `json:"messageType"`
	Expected    []string `json:"expectedResponseMessageTypes"`
	Supported   bool     `json:"supported"`
	Queries     []Query  `json:"queriesWithExpectedValues"`
	File        string   // the request's file name, e.g. sok.xml
	Payload     []byte   // the request as UTF-8
}

// Query is an XPath the reply must satisfy.
type Query struct {
	Query     string `json:"payloadQuery"`
	Value     string `json:"expectedValue"` // "*": any value that is not blank
	ValueType int    `json:"valueType"`     // 0 the value, 1 the xsi:type attribute
}

// lineComment is a // comment at the end of a line of KS' JSON, which
// encoding/json does not take (outside a string: no quote after it).
var lineComment = regexp.MustCompile(`(?m)//[^"\n]*$`)

// Load reads every case in dir, one folder each, in name order.
func Load(dir string) ([]Case, error) {
	infos, err := filepath.Glob(filepath.Join(dir, "*", "testInformation.json"))
	if err != nil {
		return nil, err
	}
	var cases []Case
	for _, info := range infos {
		c, err := load(info)
		if err != nil {
			return nil, fmt.Errorf("kscase: %s: %w", info, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func load(info string) (Case, error) {
	var c Case
	b, err := os.ReadFile(info)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(lineComment.ReplaceAll(bytes.TrimPrefix(b, []byte("\uFEFF")), nil), &c); err != nil {
		return c, err
	}
	dir := filepath.Dir(info)
	c.Name = filepath.Base(dir)
	xmls, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(xmls) != 1 {
		return c, fmt.Errorf("%d XML files, want 1", len(xmls))
	}
	c.File = filepath.Base(xmls[0])
	raw, err := os.ReadFile(xmls[0])
	if err != nil {
		return c, err
	}
	c.Payload = ToUTF8(raw)
	return c, nil
}

// ToUTF8 decodes a UTF-16 file (by its BOM) and drops a UTF-8 BOM, fixing
// the XML declaration's encoding to match.
func ToUTF8(b []byte) []byte {
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		le := b[0] == 0xFF
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			if le {
				u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		b = []byte(string(utf16.Decode(u)))
		b = regexp.MustCompile(`(?i)encoding="utf-16"`).ReplaceAll(b, []byte(`encoding="utf-8"`))
	}
	return bytes.TrimPrefix(b, []byte("\uFEFF"))
}
