// Command trivy-db writes a small, real Trivy vulnerability DB (BoltDB schema 2 plus
// metadata.json) from a readable advisories fixture, so the end-to-end suite can scan with
// real Trivy and --skip-db-update on a machine that cannot download Trivy's public DB.
//
//	trivy-db -fixture advisories.yaml -out CACHE/db -updated-at 2026-11-27T00:00:00Z [-next-update …] [-downloaded-at …]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v2"
)

// Fixture is the shape of advisories.yaml.
type Fixture struct {
	Debian struct {
		Release    string     `yaml:"release"`
		Advisories []Advisory `yaml:"advisories"`
	} `yaml:"debian"`
	Npm struct {
		Advisories []Advisory `yaml:"advisories"`
	} `yaml:"npm"`
}

// Advisory is one planted finding: Debian ones carry a fixed version (or none: unfixed),
// npm ones vulnerable and patched version ranges. Images and PkgNames say where the tests
// expect Trivy to report it; the writer does not use them.
type Advisory struct {
	ID         string   `yaml:"id"`
	Package    string   `yaml:"package"`
	Severity   string   `yaml:"severity"`
	Title      string   `yaml:"title"`
	Fixed      string   `yaml:"fixed"`
	Vulnerable []string `yaml:"vulnerable"`
	Patched    []string `yaml:"patched"`
	Images     []string `yaml:"images"`
	PkgNames   []string `yaml:"pkgNames"`
}

var (
	debianSource = types.DataSource{
		ID:   vulnerability.Debian,
		Name: "Debian Security Tracker",
		URL:  "https://salsa.debian.org/security-tracker-team/security-tracker",
	}
	npmSource = types.DataSource{
		ID:   vulnerability.GHSA,
		Name: "GitHub Security Advisory npm",
		URL:  "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm",
	}
)

func main() {
	fixture := flag.String("fixture", "", "advisories YAML file")
	out := flag.String("out", "", "DB folder to write trivy.db and metadata.json into (Trivy's <cache-dir>/db)")
	updatedAt := flag.String("updated-at", "", "UpdatedAt of metadata.json (RFC 3339)")
	nextUpdate := flag.String("next-update", "", "NextUpdate of metadata.json (RFC 3339; default updated-at + 6h)")
	downloadedAt := flag.String("downloaded-at", "", "DownloadedAt of metadata.json (RFC 3339; default updated-at)")
	flag.Parse()
	if err := run(*fixture, *out, *updatedAt, *nextUpdate, *downloadedAt); err != nil {
		fmt.Fprintf(os.Stderr, "trivy-db: %v\n", err)
		os.Exit(1)
	}
}

func run(fixturePath, out, updatedAt, nextUpdate, downloadedAt string) error {
	if fixturePath == "" || out == "" || updatedAt == "" {
		return fmt.Errorf("-fixture, -out and -updated-at are required")
	}
	meta, err := metadataOf(updatedAt, nextUpdate, downloadedAt)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		return err
	}
	var fixture Fixture
	if err := yaml.UnmarshalStrict(raw, &fixture); err != nil {
		return fmt.Errorf("%s: %w", fixturePath, err)
	}
	// A DB left over from an earlier run would keep advisories the fixture no longer has.
	if err := os.Remove(db.Path(out)); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := db.Init(out); err != nil {
		return err
	}
	defer db.Close()
	dbc := db.Config{}
	if err := dbc.BatchUpdate(func(tx *bolt.Tx) error { return put(tx, fixture) }); err != nil {
		return err
	}
	return metadata.NewClient(out).Update(meta)
}

func metadataOf(updatedAt, nextUpdate, downloadedAt string) (metadata.Metadata, error) {
	updated, err := time.Parse(time.RFC3339, updatedAt)
	if err != nil {
		return metadata.Metadata{}, fmt.Errorf("-updated-at: %w", err)
	}
	next, downloaded := updated.Add(6*time.Hour), updated
	if nextUpdate != "" {
		if next, err = time.Parse(time.RFC3339, nextUpdate); err != nil {
			return metadata.Metadata{}, fmt.Errorf("-next-update: %w", err)
		}
	}
	if downloadedAt != "" {
		if downloaded, err = time.Parse(time.RFC3339, downloadedAt); err != nil {
			return metadata.Metadata{}, fmt.Errorf("-downloaded-at: %w", err)
		}
	}
	return metadata.Metadata{Version: db.SchemaVersion, UpdatedAt: updated, NextUpdate: next, DownloadedAt: downloaded}, nil
}

func put(tx *bolt.Tx, fixture Fixture) error {
	dbc := db.Config{}
	if fixture.Debian.Release == "" {
		return fmt.Errorf("debian.release is missing; expected the major release the images are built on, like \"12\"")
	}
	debian := bucket.NewDebian(fixture.Debian.Release).Name()
	if err := dbc.PutDataSource(tx, debian, debianSource); err != nil {
		return err
	}
	for _, adv := range fixture.Debian.Advisories {
		severity, err := types.NewSeverity(adv.Severity)
		if err != nil {
			return fmt.Errorf("%s: %w", adv.ID, err)
		}
		advisory := types.Advisory{FixedVersion: adv.Fixed, Severity: severity}
		if adv.Fixed == "" {
			advisory.Status = types.StatusAffected
		}
		// Keyed by the source package: Trivy looks Debian advisories up by SrcName.
		if err := dbc.PutAdvisory(tx, []string{debian, adv.Package}, adv.ID, advisory); err != nil {
			return err
		}
		if err := putVulnerability(tx, adv, vulnerability.Debian, severity); err != nil {
			return err
		}
	}
	npm, err := bucket.NewNpm(npmSource)
	if err != nil {
		return err
	}
	if err := dbc.PutDataSource(tx, npm.Name(), npmSource); err != nil {
		return err
	}
	for _, adv := range fixture.Npm.Advisories {
		severity, err := types.NewSeverity(adv.Severity)
		if err != nil {
			return fmt.Errorf("%s: %w", adv.ID, err)
		}
		if len(adv.Vulnerable) == 0 {
			return fmt.Errorf("%s: an npm advisory needs vulnerable version ranges", adv.ID)
		}
		advisory := types.Advisory{VulnerableVersions: adv.Vulnerable, PatchedVersions: adv.Patched}
		if err := dbc.PutAdvisory(tx, []string{npm.Name(), adv.Package}, adv.ID, advisory); err != nil {
			return err
		}
		if err := putVulnerability(tx, adv, vulnerability.GHSA, severity); err != nil {
			return err
		}
	}
	return nil
}

// putVulnerability fills the vulnerability bucket, which Trivy reads for every ID it reports.
func putVulnerability(tx *bolt.Tx, adv Advisory, source types.SourceID, severity types.Severity) error {
	dbc := db.Config{}
	return dbc.PutVulnerability(tx, adv.ID, types.Vulnerability{
		Title:          adv.Title,
		Description:    adv.Title + " (a planted advisory of drydock's end-to-end suite; not a real vulnerability).",
		VendorSeverity: types.VendorSeverity{source: severity},
	})
}
