// The export controls of the Query view: presets, their visible options,
// one button per format, and the clipboard copies.

const $ = (id) => document.getElementById(id);

/** What each preset offers and the options it starts from. */
export const PRESETS = {
  machine: {
    formats: ["csv", "tsv", "json", "ndjson", "parquet"],
    options: { bom: false, neutralize: false, delimiter: "," },
    note: "Lossless: Int64 exact, timestamps as sent (7 digits), \"\" apart from null, Dynamic as JSON.",
  },
  excel: {
    formats: ["csv", "tsv", "xlsx"],
    options: { bom: true, neutralize: true, delimiter: "," },
    note: "For spreadsheets. XLSX dates are real Excel dates in UTC, which keep milliseconds only; Int64 ids stay text so Excel cannot round them.",
  },
};

function currentPreset() {
  const checked = document.querySelector("input[name=preset]:checked");
  return PRESETS[checked ? checked.value : "machine"] || PRESETS.machine;
}

function applyPreset() {
  const preset = currentPreset();
  $("opt-bom").checked = preset.options.bom;
  $("opt-neutralize").checked = preset.options.neutralize;
  $("opt-delimiter").value = preset.options.delimiter;
  $("preset-note").textContent = preset.note;
  for (const button of document.querySelectorAll("#exports [data-format]")) {
    button.hidden = !preset.formats.includes(button.dataset.format);
  }
}

function options() {
  return { bom: $("opt-bom").checked, neutralize: $("opt-neutralize").checked, delimiter: $("opt-delimiter").value };
}

function describeFile(file) {
  const cut = file.truncatedCells ? ` ${file.truncatedCells.toLocaleString("en-US")} cells were cut to Excel's 32,767-character limit.` : "";
  return `Saved ${file.fileName} (${file.bytes.toLocaleString("en-US")} bytes) to your downloads.${cut}`;
}

/**
 * Wires the controls. `link` reaches the engine, `resultId()` names the
 * result on show, `showBanner(error)` reports failures.
 */
export function setUpExports({ link, resultId, showBanner }) {
  for (const radio of document.querySelectorAll("input[name=preset]")) radio.addEventListener("change", applyPreset);
  applyPreset();

  for (const button of document.querySelectorAll("#exports [data-format]")) {
    button.addEventListener("click", async () => {
      const id = resultId();
      if (id == null) return;
      const format = button.dataset.format;
      $("export-status").textContent = format === "parquet" ? "Exporting (loading the Parquet writer)…" : "Exporting…";
      try {
        const file = await link.call("exportResult", { resultId: id, format, options: options() });
        $("export-status").textContent = describeFile(file);
      } catch (error) {
        $("export-status").textContent = "";
        showBanner(error);
      }
    });
  }

  for (const button of document.querySelectorAll("#exports [data-clipboard]")) {
    button.addEventListener("click", async () => {
      const id = resultId();
      if (id == null) return;
      $("export-status").textContent = "Copying…";
      try {
        const copy = await link.call("clipboardText", { resultId: id, format: button.dataset.clipboard });
        // Allowed without the clipboardWrite permission: the panel page
        // writes in response to the analyst's click.
        await navigator.clipboard.writeText(copy.text);
        const capped = copy.rows < copy.totalRows ? ` (first ${copy.rows.toLocaleString("en-US")} of ${copy.totalRows.toLocaleString("en-US")} rows)` : ` (${copy.rows.toLocaleString("en-US")} rows)`;
        $("export-status").textContent = `Copied ${button.dataset.clipboard === "markdown" ? "a Markdown table" : "a KQL datatable"}${capped}.`;
      } catch (error) {
        $("export-status").textContent = "";
        if (error && typeof error.kind === "string") showBanner(error);
        else showBanner({ kind: "clipboard", userMessage: `huntkit could not write to the clipboard: ${String((error && error.message) || error)}` });
      }
    });
  }
}
