package web

import (
	"slices"
	"testing"

	"github.com/gorilla/securecookie"
)

// Session values go through the compact form and come back with their types
// (the user id an uint, times int64, flashes a list of strings), signed and
// encrypted as before; a cookie written with gob by an earlier release still
// reads; a value of another type is written with gob.
func TestSessionSerializer(t *testing.T) {
	t.Parallel()
	keys := KeyPair([]byte("test-secret"))
	codec := securecookie.New(keys[0], keys[1]).SetSerializer(sessionSerializer{})
	in := map[any]any{sessUserID: uint(42), sessIssuedAt: int64(1_790_000_000), sessSeenAt: int64(-5), sessEpoch: int64(0),
		"_flash": []any{"info\x00Saved", ""}, "note": "é"}
	enc, err := codec.Encode("portfolio", in)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := sessionSerializer{}.Serialize(in)
	if string(raw[:3]) != "ps1" {
		t.Fatalf("not written in the compact form: %q", raw)
	}
	out := map[any]any{}
	if err := codec.Decode("portfolio", enc, &out); err != nil {
		t.Fatal(err)
	}
	if out[sessUserID] != uint(42) || out[sessIssuedAt] != int64(1_790_000_000) || out[sessSeenAt] != int64(-5) ||
		out[sessEpoch] != int64(0) || out["note"] != "é" || !slices.Equal(out["_flash"].([]any), []any{"info\x00Saved", ""}) {
		t.Errorf("read back %#v", out)
	}

	old := securecookie.New(keys[0], keys[1]) // gob, as releases before this one wrote
	gobbed, err := old.Encode("portfolio", in)
	if err != nil {
		t.Fatal(err)
	}
	out = map[any]any{}
	if err := codec.Decode("portfolio", gobbed, &out); err != nil || out[sessUserID] != uint(42) {
		t.Errorf("a gob cookie reads as %#v, %v", out, err)
	}

	other := map[any]any{"n": 3.5}
	raw, err = sessionSerializer{}.Serialize(other)
	if err != nil || string(raw[:3]) == "ps1" {
		t.Fatalf("a float was written %q, %v; want gob", raw, err)
	}
	out = map[any]any{}
	if err := (sessionSerializer{}).Deserialize(raw, &out); err != nil || out["n"] != 3.5 {
		t.Errorf("gob fallback read %#v, %v", out, err)
	}

	for _, bad := range []string{"ps1\x05ab", "ps1\x01au", "ps1\x01ax\x00", "ps1\x01af\xff\xff\x03"} {
		if err := (sessionSerializer{}).Deserialize([]byte(bad), &map[any]any{}); err == nil {
			t.Errorf("%q read without error", bad)
		}
	}
}
