package dev.evomerge.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DocsCheckTest {

    @TempDir
    Path root;

    private List<String> problems(String readme) throws IOException {
        Files.writeString(root.resolve("README.md"), readme);
        return DocsCheck.check(root, DocsCheck.documents(root)).stream().map(p -> p.format(root)).toList();
    }

    @Test
    void aBrokenLinkIsReportedAtItsLine() throws IOException {
        assertEquals(List.of("README.md:3: link to docs/missing.md: docs/missing.md does not exist"),
                problems("# Title\n\nSee [the guide](docs/missing.md).\n"));
    }

    @Test
    void anUnknownFlagIsReportedAtItsLine() throws IOException {
        assertEquals(List.of("README.md:3: 'evomerge search' has no option --populaton (see 'evomerge search --help')"),
                problems("Run:\n```bash\nscripts/evomerge search search.yaml --populaton 8\n```\n"));
    }

    @Test
    void anUnknownSubcommandIsReported() throws IOException {
        List<String> found = problems("Use `evomerge serach cfg.yaml` to start.\n");
        assertEquals(1, found.size(), found.toString());
        assertEquals(true, found.getFirst().startsWith("README.md:1: 'evomerge' has no subcommand 'serach'"),
                found.getFirst());
    }

    @Test
    void anOptionOfAnotherSubcommandIsUnknownHere() throws IOException {
        // --overwrite belongs to merge, not to export.
        assertEquals(List.of("README.md:2: 'evomerge export' has no option --overwrite (see 'evomerge export --help')"),
                problems("```\nscripts/evomerge export runs/a --out best.yaml --overwrite\n```\n"));
    }

    @Test
    void aScriptThatDoesNotExistIsReported() throws IOException {
        assertEquals(List.of("README.md:2: 'scripts/bench-everything' does not exist"),
                problems("```bash\nnice -n 10 scripts/bench-everything --quick\n```\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "```bash\nscripts/evomerge merge recipe.yaml --out merged/ --overwrite\n```\n",
            "```console\n$ scripts/evomerge search search.yaml --run runs/a --limit 20\nsearch 25% [===] 5/20 --weird\n```\n",
            "```bash\nnice -n 10 scripts/evomerge eval recipe.yaml \\\n    --task tasks/add.yaml --limit 8 2>&1 | tail -3\n```\n",
            "```bash\nEVOMERGE_JAVA_OPTS=-Xmx4g scripts/evomerge search cfg.yaml --run=runs/b && scripts/evomerge report runs/b\n```\n",
            "```bash\njava -jar optimizer/target/evomerge.jar export RUN --out FILE.yaml\n```\n",
            "```bash\nscripts/demo --quick\nscripts/evomerge --help\nscripts/evomerge help merge\n```\n",
            "Export with `scripts/evomerge export RUN --out best.yaml` and merge with `evomerge merge [--overwrite] R --out D`.\n",
            "```text\nevomerge nonsense --whatever\n```\n",
            "```\nmerged 20 tensors with linear in 0.12 s\n```\n",
            "Any `scripts/NAME` or `scripts/bench-*` script takes `--help`.\n",
    })
    void commandsThatMatchTheCommandLinePass(String readme) throws IOException {
        Files.createDirectories(root.resolve("scripts"));
        Files.writeString(root.resolve("scripts/demo"), "");
        assertEquals(List.of(), problems(readme));
    }

    @Test
    void anAnchorMustNameAHeading() throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/cli.md"), "# The CLI\n\n## `merge`: write a model\n");
        assertEquals(List.of("README.md:2: link to docs/cli.md#export: no heading gives #export"),
                problems("[merge](docs/cli.md#merge-write-a-model)\n[export](docs/cli.md#export)\n"
                        + "[self](#title)\n# Title\n"));
    }

    @Test
    void linksInsideCodeAreNotLinks() throws IOException {
        assertEquals(List.of(), problems("```bash\necho '[x](nowhere.md)'\n```\nand `[y](nowhere.md)`\n"
                + "[web](https://example.org/missing)\n"));
    }

    @Test
    void aYamlBlockMustSayWhatItIs() throws IOException {
        assertEquals(List.of("README.md:1: a yaml block says what it is after 'yaml': recipe, search-config, task or fragment"),
                problems("```yaml\nmerge_method: linear\n```\n"));
    }

    @Test
    void aRecipeExampleThatDoesNotLoadIsReportedAtItsFence() throws IOException {
        List<String> found = problems("""
                text

                ```yaml recipe
                merge_method: linear
                models:
                  - model: a
                    wieght: 1.0
                ```
                """);
        assertEquals(1, found.size(), found.toString());
        assertEquals(true, found.getFirst().startsWith("README.md:3: recipe example does not load: ")
                && found.getFirst().contains("wieght"), found.getFirst());
    }

    @Test
    void examplesThatLoadPassAndMayReferToEachOther() throws IOException {
        assertEquals(List.of(), problems("""
                ```yaml recipe
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: 1.0}
                  - model: b
                    parameters: {weight: 1.0}
                ```
                A task and its rows:
                ```yaml task file=tasks/add.yaml
                name: add
                type: generate
                data: add.jsonl
                metric: exact
                test_fraction: 0.5
                ```
                ```jsonl file=tasks/add.jsonl
                {"prompt": "1+1=", "answer": "2"}
                ```
                ```yaml search-config
                genome:
                  models: [a, b]
                  merge_method: linear
                tasks:
                  - {path: tasks/add.yaml}
                search: {algorithm: ga, population: 8, generations: 2}
                ```
                ```yaml fragment
                search: {population: 8}
                ```
                """));
    }

    @Test
    void aSearchConfigNamingATaskFileThatIsNotShownDoesNotLoad() throws IOException {
        List<String> found = problems("```yaml search-config\ngenome:\n  models: [a, b]\n  merge_method: linear\n"
                + "tasks:\n  - {path: tasks/none.yaml}\n```\n");
        assertEquals(1, found.size(), found.toString());
        assertEquals(true, found.getFirst().startsWith("README.md:1: search-config example does not load: "),
                found.getFirst());
    }

    @Test
    void documentsAreTheReadmeTheDocsFolderAndEachReferenceRunsReadme() throws IOException {
        for (String f : List.of("README.md", "docs/cli.md", "docs/deep/more.md", "docs/notes.txt",
                "results/reference/demo/README.md", "results/reference/demo/other.md", "results/README.md")) {
            Files.createDirectories(root.resolve(f).getParent());
            Files.writeString(root.resolve(f), "text\n");
        }
        assertEquals(List.of("README.md", "docs/cli.md", "docs/deep/more.md", "results/reference/demo/README.md"),
                DocsCheck.documents(root).stream().map(p -> root.relativize(p).toString()).toList());
    }
}
