// Command tlog-go is the registry's peer implementation check (STYLE.md §3c): it runs Go's
// golang.org/x/mod/sumdb/tlog and sumdb/note, which the registry did not write, over data the
// registry's TypeScript code produced, and produces data for the TypeScript code to check.
// It reads one JSON request on stdin and writes one JSON answer on stdout.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type sizePair struct {
	M int64 `json:"m"`
	N int64 `json:"n"`
}

type inclusionCheck struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Leaf  string   `json:"leaf"`
	Root  string   `json:"root"`
	Proof []string `json:"proof"`
}

type consistencyCheck struct {
	M     int64    `json:"m"`
	N     int64    `json:"n"`
	RootM string   `json:"rootM"`
	RootN string   `json:"rootN"`
	Proof []string `json:"proof"`
}

type signRequest struct {
	Name string `json:"name"`
	Seed string `json:"seed"`
	Text string `json:"text"`
}

type openRequest struct {
	Vkey string `json:"vkey"`
	Note string `json:"note"`
}

type cosigRequest struct {
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
	Note      string `json:"note"`
}

type tileRead struct {
	Size    int64             `json:"size"`
	Root    string            `json:"root"`
	Tiles   map[string]string `json:"tiles"`
	Indexes []int64           `json:"indexes"`
}

type tileReadOut struct {
	Error  string     `json:"error"`
	Root   string     `json:"root"`
	Proofs [][]string `json:"proofs"`
}

// mapTiles serves the registry's tiles, by Go tile path, to Go's TileHashReader.
type mapTiles map[string]string

func (m mapTiles) Height() int { return 8 }
func (m mapTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, ok := m[t.Path()]
		if !ok {
			return nil, fmt.Errorf("no tile %s", t.Path())
		}
		out[i] = unb64(data)
	}
	return out, nil
}
func (m mapTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func readTiles(r tileRead) tileReadOut {
	thr := tlog.TileHashReader(tlog.Tree{N: r.Size, Hash: hashOf(r.Root)}, mapTiles(r.Tiles))
	root, err := tlog.TreeHash(r.Size, thr)
	if err != nil {
		return tileReadOut{Error: err.Error()}
	}
	out := tileReadOut{Root: b64(root[:])}
	for _, i := range r.Indexes {
		p, err := tlog.ProveRecord(r.Size, i, thr)
		if err != nil {
			return tileReadOut{Error: err.Error()}
		}
		out.Proofs = append(out.Proofs, hashes(p))
	}
	return out
}

type request struct {
	Leaves           []string           `json:"leaves"`
	Inclusion        []sizePair         `json:"inclusion"`
	Consistency      []sizePair         `json:"consistency"`
	CheckInclusion   []inclusionCheck   `json:"checkInclusion"`
	CheckConsistency []consistencyCheck `json:"checkConsistency"`
	NewTiles         []sizePair         `json:"newTiles"`
	TilePaths        []string           `json:"tilePaths"`
	Sign             []signRequest      `json:"sign"`
	Open             []openRequest      `json:"open"`
	Cosignatures     []cosigRequest     `json:"cosignatures"`
	TileReads        []tileRead         `json:"tileReads"`
}

type tileOut struct {
	Path  string `json:"path"`
	Level int    `json:"level"`
	Index int64  `json:"index"`
	Width int    `json:"width"`
	Data  string `json:"data"`
}

type parsedPath struct {
	OK    bool   `json:"ok"`
	Level int    `json:"level"`
	Index int64  `json:"index"`
	Width int    `json:"width"`
	Path  string `json:"path"`
}

type signed struct {
	Note string `json:"note"`
	Vkey string `json:"vkey"`
}

type opened struct {
	OK    bool     `json:"ok"`
	Error string   `json:"error"`
	Text  string   `json:"text"`
	Names []string `json:"names"`
}

type answer struct {
	LeafHashes       []string      `json:"leafHashes"`
	Roots            []string      `json:"roots"`
	Inclusion        [][]string    `json:"inclusion"`
	Consistency      [][]string    `json:"consistency"`
	CheckInclusion   []bool        `json:"checkInclusion"`
	CheckConsistency []bool        `json:"checkConsistency"`
	NewTiles         [][]tileOut   `json:"newTiles"`
	TilePaths        []parsedPath  `json:"tilePaths"`
	Signed           []signed      `json:"signed"`
	Open             []opened      `json:"open"`
	Cosignatures     []opened      `json:"cosignatures"`
	TileReads        []tileReadOut `json:"tileReads"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	must(err)
	return b
}

func hashOf(s string) tlog.Hash {
	var h tlog.Hash
	copy(h[:], unb64(s))
	return h
}

func hashes(p []tlog.Hash) []string {
	out := []string{}
	for _, h := range p {
		out = append(out, b64(h[:]))
	}
	return out
}

func unhashes(p []string) []tlog.Hash {
	out := []tlog.Hash{}
	for _, s := range p {
		out = append(out, hashOf(s))
	}
	return out
}

// cosigVerifier checks a c2sp.org/tlog-cosignature v1.0.1 signature with Go's ed25519, inside
// Go's note.Open (which does the signed-note parsing and key matching).
type cosigVerifier struct {
	name string
	pub  ed25519.PublicKey
}

func (v cosigVerifier) Name() string { return v.name }
func (v cosigVerifier) KeyHash() uint32 {
	h := sha256.Sum256(append(append([]byte(v.name+"\n"), 0x04), v.pub...))
	return binary.BigEndian.Uint32(h[:4])
}
func (v cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 72 {
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	signed := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(ts, 10)+"\n"), msg...)
	return ed25519.Verify(v.pub, signed, sig[8:])
}

func openResult(n *note.Note, err error) opened {
	if err != nil {
		return opened{OK: false, Error: err.Error()}
	}
	names := []string{}
	for _, s := range n.Sigs {
		names = append(names, s.Name)
	}
	return opened{OK: true, Text: n.Text, Names: names}
}

func main() {
	var req request
	must(json.NewDecoder(os.Stdin).Decode(&req))
	var ans answer

	// The tree: Go's stored hashes, written record by record, read back by index.
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, leaf := range req.Leaves {
		data := unb64(leaf)
		h := tlog.RecordHash(data)
		ans.LeafHashes = append(ans.LeafHashes, b64(h[:]))
		more, err := tlog.StoredHashes(int64(i), data, reader)
		must(err)
		stored = append(stored, more...)
		root, err := tlog.TreeHash(int64(i+1), reader)
		must(err)
		ans.Roots = append(ans.Roots, b64(root[:]))
	}
	for _, p := range req.Inclusion {
		proof, err := tlog.ProveRecord(p.N, p.M, reader)
		must(err)
		ans.Inclusion = append(ans.Inclusion, hashes(proof))
	}
	for _, p := range req.Consistency {
		proof, err := tlog.ProveTree(p.N, p.M, reader)
		must(err)
		ans.Consistency = append(ans.Consistency, hashes(proof))
	}
	for _, c := range req.CheckInclusion {
		err := tlog.CheckRecord(unhashes(c.Proof), c.Size, hashOf(c.Root), c.Index, hashOf(c.Leaf))
		ans.CheckInclusion = append(ans.CheckInclusion, err == nil)
	}
	for _, c := range req.CheckConsistency {
		err := tlog.CheckTree(unhashes(c.Proof), c.N, hashOf(c.RootN), c.M, hashOf(c.RootM))
		ans.CheckConsistency = append(ans.CheckConsistency, err == nil)
	}
	for _, p := range req.NewTiles {
		out := []tileOut{}
		for _, t := range tlog.NewTiles(8, p.M, p.N) {
			data, err := tlog.ReadTileData(t, reader)
			must(err)
			out = append(out, tileOut{Path: t.Path(), Level: t.L, Index: t.N, Width: t.W, Data: b64(data)})
		}
		ans.NewTiles = append(ans.NewTiles, out)
	}
	for _, path := range req.TilePaths {
		t, err := tlog.ParseTilePath(path)
		if err != nil {
			ans.TilePaths = append(ans.TilePaths, parsedPath{OK: false})
			continue
		}
		ans.TilePaths = append(ans.TilePaths, parsedPath{OK: true, Level: t.L, Index: t.N, Width: t.W, Path: t.Path()})
	}

	// Notes: Go signs with a key the registry generated, and opens the registry's notes.
	for _, s := range req.Sign {
		seed := unb64(s.Seed)
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		vkey, err := note.NewEd25519VerifierKey(s.Name, pub)
		must(err)
		v, err := note.NewVerifier(vkey)
		must(err)
		skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", s.Name, v.KeyHash(), b64(append([]byte{1}, seed...)))
		signer, err := note.NewSigner(skey)
		must(err)
		msg, err := note.Sign(&note.Note{Text: s.Text}, signer)
		must(err)
		ans.Signed = append(ans.Signed, signed{Note: string(msg), Vkey: vkey})
	}
	for _, o := range req.Open {
		v, err := note.NewVerifier(o.Vkey)
		if err != nil {
			ans.Open = append(ans.Open, opened{OK: false, Error: err.Error()})
			continue
		}
		ans.Open = append(ans.Open, openResult(note.Open([]byte(o.Note), note.VerifierList(v))))
	}
	for _, c := range req.Cosignatures {
		v := cosigVerifier{name: c.Name, pub: ed25519.PublicKey(unb64(c.PublicKey))}
		ans.Cosignatures = append(ans.Cosignatures, openResult(note.Open([]byte(c.Note), note.VerifierList(v))))
	}
	for _, r := range req.TileReads {
		ans.TileReads = append(ans.TileReads, readTiles(r))
	}
	must(json.NewEncoder(os.Stdout).Encode(ans))
}
