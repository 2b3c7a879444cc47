"""A single named dynamic resource that owns one file: the smallest real program."""

from pathlib import Path

import pulumi
from pulumi.dynamic import (
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
)


class NoteProvider(ResourceProvider):
    """Writes `text` to a file under the directory named by stack config `engine:dir`."""

    directory: Path | None = None

    def configure(self, req: ConfigureRequest) -> None:
        self.directory = Path(req.config.require("engine:dir"))

    def create(self, props):
        path = self.directory / f"{props['name']}.txt"
        path.write_text(props["text"])
        return CreateResult(id_=str(path), outs={**props, "size": len(props["text"])})

    def diff(self, _id, olds, news):
        changed = [k for k in ("name", "text") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=["name"] if "name" in changed else [])

    def update(self, _id, olds, news):
        Path(_id).write_text(news["text"])
        from pulumi.dynamic import UpdateResult

        return UpdateResult(outs={**news, "size": len(news["text"])})

    def read(self, id_, props):
        text = Path(id_).read_text()
        return ReadResult(id_=id_, outs={**props, "text": text, "size": len(text)})

    def delete(self, id_, _props):
        Path(id_).unlink()


class Note(Resource, module="engine", name="Note"):
    size: pulumi.Output[int]

    def __init__(self, name: str, text: str, opts=None):
        super().__init__(NoteProvider(), name, {"name": name, "text": text, "size": None}, opts)


note = Note("hello", pulumi.Config("engine").get("text") or "hello from the engine")
pulumi.export("size", note.size)
