import { Injectable } from "@nestjs/common";
import type { Note } from "../generated/prisma/client.js";
import { PrismaService } from "../prisma/prisma.service.js";
import type { CreateNoteDto } from "./create-note.dto.js";

/** The largest id a PostgreSQL `integer` column holds; no note has a larger one. */
const MAX_ID = 2_147_483_647;
const PAGE_SIZE = 100;

@Injectable()
export class NotesService {
  constructor(private readonly prisma: PrismaService) {}

  /** The newest notes first, at most one page. */
  list(): Promise<Note[]> {
    return this.prisma.note.findMany({ orderBy: { id: "desc" }, take: PAGE_SIZE });
  }

  create(input: CreateNoteDto): Promise<Note> {
    return this.prisma.note.create({ data: { title: input.title, body: input.body ?? null } });
  }

  /** The note with this id, or null; ids out of the column's range cannot exist, so they are not queried. */
  async find(id: number): Promise<Note | null> {
    if (id < 1 || id > MAX_ID) return null;
    return this.prisma.note.findUnique({ where: { id } });
  }
}
