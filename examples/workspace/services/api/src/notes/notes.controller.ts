import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post } from "@nestjs/common";
import type { Note } from "../generated/prisma/client.js";
import { CreateNoteDto } from "./create-note.dto.js";
import { NotesService } from "./notes.service.js";

@Controller("notes")
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  list(): Promise<Note[]> {
    return this.notes.list();
  }

  @Post()
  create(@Body() input: CreateNoteDto): Promise<Note> {
    return this.notes.create(input);
  }

  @Get(":id")
  async find(@Param("id", ParseIntPipe) id: number): Promise<Note> {
    const note = await this.notes.find(id);
    if (note === null) throw new NotFoundException(`note ${id} does not exist`);
    return note;
  }
}
