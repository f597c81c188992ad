"""Reads a TensorFlow wheel for scripts/setup-native.ts, with python3's zipfile (unzip may be absent).

    python3 wheel.py inspect WHEEL                  prints one JSON line: {"project", "version"}
    python3 wheel.py extract WHEEL DIR SOURCES      writes DIR/lib/<the two libraries>, DIR/include/<headers>

Only what the tfjs-node addon uses is extracted: the two shared libraries, and the TensorFlow
headers that the addon's sources (the folder SOURCES) include, with the headers those include
(about 15 small files, where the wheel's tensorflow/include holds 13,000 files and 270 MB).
A wheel without the libraries or the C API headers exits 2 with one line on stderr.
"""
import json
import os
import re
import shutil
import sys
import zipfile

LIBRARIES = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
INCLUDE = "tensorflow/include/"
# What tfjs-node's binding.gyp lists as its TensorFlow headers.
ROOT_HEADERS = ("tensorflow/c/c_api.h", "tensorflow/c/eager/c_api.h")
QUOTED_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.M)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def open_wheel(path):
    try:
        wheel = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        fail(f"{path} is not a wheel (a zip file): {error}")
    names = set(wheel.namelist())
    wanted = [f"tensorflow/{name}" for name in LIBRARIES] + [INCLUDE + name for name in ROOT_HEADERS]
    absent = [name for name in wanted if name not in names]
    if absent:
        fail(f"{path} is not a TensorFlow wheel with the C library: it has no {', '.join(absent)}")
    return wheel, names


def metadata(wheel, names):
    """Name and Version from the wheel's dist-info/METADATA."""
    files = [name for name in names if name.endswith(".dist-info/METADATA") and name.count("/") == 1]
    if len(files) != 1:
        fail(f"{wheel.filename} has {len(files)} dist-info/METADATA files, not 1")
    fields = {}
    for line in wheel.read(files[0]).decode("utf-8", "replace").splitlines():
        if line == "":
            break  # the headers end at the first blank line; the description follows
        key, _, value = line.partition(": ")
        fields.setdefault(key, value)
    return fields.get("Name", "?"), fields.get("Version", "?")


def source_includes(sources):
    """The quoted includes of the addon's own sources: its roots into the TensorFlow headers."""
    included = set()
    for name in sorted(os.listdir(sources)):
        path = os.path.join(sources, name)
        if os.path.isfile(path):
            with open(path, "rb") as source:
                included.update(match.decode() for match in QUOTED_INCLUDE.findall(source.read()))
    return included


def header_closure(wheel, names, roots):
    """The roots found in the wheel, and every header they include with quotes, transitively."""
    found, queue = set(), [root for root in roots if INCLUDE + root in names]
    while queue:
        header = queue.pop()
        if header in found:
            continue
        found.add(header)
        for included in QUOTED_INCLUDE.findall(wheel.read(INCLUDE + header)):
            included = included.decode()
            beside = os.path.normpath(os.path.join(os.path.dirname(header), included))
            for candidate in (included, beside):
                if INCLUDE + candidate in names:
                    queue.append(candidate)
                    break
    return sorted(found)


def extract(wheel, names, target, sources):
    os.makedirs(os.path.join(target, "lib"), exist_ok=True)
    for library in LIBRARIES:
        with wheel.open(f"tensorflow/{library}") as source, open(os.path.join(target, "lib", library), "wb") as out:
            shutil.copyfileobj(source, out, 1 << 22)
    for header in header_closure(wheel, names, set(ROOT_HEADERS) | source_includes(sources)):
        path = os.path.join(target, "include", header)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(wheel.read(INCLUDE + header))


def main(argv):
    if len(argv) == 2 and argv[0] == "inspect":
        wheel, names = open_wheel(argv[1])
        project, version = metadata(wheel, names)
        print(json.dumps({"project": project, "version": version}))
    elif len(argv) == 4 and argv[0] == "extract":
        wheel, names = open_wheel(argv[1])
        extract(wheel, names, argv[2], argv[3])
    else:
        fail("usage: wheel.py inspect WHEEL | wheel.py extract WHEEL DIR SOURCES")


if __name__ == "__main__":
    main(sys.argv[1:])
